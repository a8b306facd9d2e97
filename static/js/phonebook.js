// "Call" buttons of the portal phonebook: PUT /sipxconfig/rest/my/call/{number} with the session (and its CSRF
// token). Only loaded when click-to-call exists on this server.
(function () {
  "use strict";
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
      button.textContent = r.ok ? "Calling…" : "Call failed";
    }).finally(function () {
      setTimeout(function () { button.disabled = false; button.textContent = "Call"; }, 4000);
    });
  });
})();
