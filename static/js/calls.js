// Active calls pages: reload the table every few seconds (the page works without it, it just does not refresh).
(function () {
  "use strict";
  var box = document.getElementById("active-calls");
  if (!box) return;
  var url = box.getAttribute("data-refresh-url");
  var seconds = parseInt(box.getAttribute("data-refresh-seconds"), 10) || 5;
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { box.innerHTML = html; box.setAttribute("data-refreshed", String(Date.now())); } })
      .catch(function () {})
      .finally(function () { setTimeout(refresh, seconds * 1000); });
  }
  setTimeout(refresh, seconds * 1000);
})();
