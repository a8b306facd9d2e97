// Resync answers (phone page, resync log): while a resync is pending, ask for its state again every second and
// show the answer (the pages work without this: reload them).
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-state][data-url]");
  function watch(box) {
    if (box.getAttribute("data-state") !== "pending") return;
    var tries = 0;
    function ask() {
      fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          if (answer) {
            box.textContent = answer.text;
            box.setAttribute("data-state", answer.state);
            box.className = "resync-" + answer.state;
          }
        })
        .catch(function () {})
        .finally(function () {
          tries += 1;
          if (box.getAttribute("data-state") === "pending" && tries < 120) setTimeout(ask, 1000);
        });
    }
    setTimeout(ask, 500);
  }
  for (var i = 0; i < boxes.length; i++) watch(boxes[i]);
})();
