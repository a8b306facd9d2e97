// "Call" buttons of the portal phonebook: PUT /sipxconfig/rest/my/call/{number} with the session (and its CSRF
// token). Only loaded when click-to-call exists on this server.
(function () {
  "use strict";
  // The words this script writes itself, translated by the page (data-calling, data-call-failed and data-call on
  // the script tag); English when a page gives none.
  var script = document.currentScript;
  function words(key, english) {
    return (script && script.getAttribute("data-" + key)) || english;
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.call");
    if (!button) return;
    button.disabled = true;
    fetch("/sipxconfig/rest/my/call/" + encodeURIComponent(button.dataset.number), {
      method: "PUT", credentials: "same-origin", headers: {"X-CSRFToken": csrf()}, body: "+"
    }).then(function (r) {
      button.textContent = r.ok ? words("calling", "Calling…") : words("call-failed", "Call failed");
    }).finally(function () {
      setTimeout(function () { button.disabled = false; button.textContent = words("call", "Call"); }, 4000);
    });
  });
})();
