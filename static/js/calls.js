// Call pages: the active calls table reloads itself every few seconds, and click-to-call is followed live.
//
// Every Call button (`button[data-call="<number as written>"]`, e.g. in My phonebook) places the call with
// PUT /sipxconfig/rest/my/call/{number} (the session and its CSRF token; the server strips spaces, ( ) - . and
// says why when it refuses), then polls the call's progress (GET <data-progress-url>?number=...: apps/callcontrol/
// progress.py) and writes it into the status element beside the button (`.call-status`): "Ringing your phone…",
// "Connecting to Bob…", "Bob answered.", "No answer from Bob.", "Failed: <reason>." The call box page's status line
// (`.call-status[data-follow]`) is followed the same way once the form has queued the call.
// Everything here works from data attributes: no inline script (CSP).
(function () {
  "use strict";

  var PROGRESS_URL = "/cdrs/my/call/progress/";
  // The words this script writes itself, translated by the page (templates/callcontrol/calls_script.html puts
  // them on the script tag); English when a page gives none. "%(name)s" stands for a value.
  var script = document.currentScript;
  function words(key, english, values) {
    var text = (script && script.getAttribute("data-" + key)) || english;
    Object.keys(values || {}).forEach(function (name) { text = text.split("%(" + name + ")s").join(values[name]); });
    return text;
  }
  var POLL_MS = 800;
  var GIVE_UP_MS = 5 * 60 * 1000; // an attempt's result is kept 3 minutes; the agent ends every call well before

  // ---- active calls -----------------------------------------------------------------------------------------
  var box = document.getElementById("active-calls");
  if (box) {
    var url = box.getAttribute("data-refresh-url");
    var seconds = parseInt(box.getAttribute("data-refresh-seconds"), 10) || 5;
    var refresh = function () {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { box.innerHTML = html; box.setAttribute("data-refreshed", String(Date.now())); } })
        .catch(function () {})
        .finally(function () { setTimeout(refresh, seconds * 1000); });
    };
    setTimeout(refresh, seconds * 1000);
  }

  // ---- click-to-call ----------------------------------------------------------------------------------------
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function show(status, phase, text) {
    if (!status) return;
    status.setAttribute("data-phase", phase);
    status.textContent = text;
  }

  // The server's sentence from an error answer (JSON {"error": ...}), or what the status code says.
  function reason(response) {
    return response.text().then(function (body) {
      try {
        var parsed = JSON.parse(body);
        if (parsed && parsed.error) return parsed.error;
      } catch (e) { /* not JSON: fall through */ }
      if (response.status === 401 || response.status === 403) return words("logged-out", "You are not logged in any more: log in again.");
      return words("server-answered", "The server answered %(status)s.", { status: String(response.status) });
    });
  }

  function follow(number, status, progressUrl, finished) {
    var started = Date.now();
    var misses = 0;
    function poll() {
      fetch(progressUrl + "?number=" + encodeURIComponent(number), {
        credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" }
      }).then(function (r) {
        if (!r.ok) {
          return reason(r).then(function (text) { show(status, "failed", words("failed", "Failed: %(reason)s", { reason: text })); finished(); });
        }
        return r.json().then(function (p) {
          show(status, p.phase, p.text);
          if (p.done) { finished(); return; }
          if (Date.now() - started > GIVE_UP_MS) {
            show(status, "failed", words("no-news", "Failed: no news of the call for five minutes."));
            finished();
            return;
          }
          setTimeout(poll, POLL_MS);
        });
      }).catch(function () {
        misses += 1; // the network may blink: try a few times before giving up
        if (misses > 5) { show(status, "failed", words("unreachable", "Failed: the server cannot be reached.")); finished(); return; }
        setTimeout(poll, POLL_MS * 2);
      });
    }
    poll();
  }

  function statusOf(button) {
    var id = button.getAttribute("aria-describedby");
    var status = id ? document.getElementById(id) : null;
    if (!status) {
      var next = button.nextElementSibling;
      status = next && next.classList.contains("call-status") ? next : null;
    }
    if (!status) {
      status = document.createElement("span");
      status.className = "call-status";
      status.setAttribute("role", "status");
      button.insertAdjacentElement("afterend", status);
    }
    return status;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-call]");
    if (!button || button.disabled) return;
    var number = button.getAttribute("data-call");
    var label = button.textContent;
    var status = statusOf(button);
    var progressUrl = button.getAttribute("data-progress-url") || PROGRESS_URL;
    function finished() { button.disabled = false; button.textContent = label; }
    button.disabled = true;
    button.textContent = words("calling", "Calling…");
    show(status, "placing", words("calling-number", "Calling %(number)s…", { number: number }));
    fetch("/sipxconfig/rest/my/call/" + encodeURIComponent(number), {
      method: "PUT", credentials: "same-origin", headers: { "X-CSRFToken": csrf() }, body: "+"
    }).then(function (r) {
      if (r.ok) { follow(number, status, progressUrl, finished); return null; }
      return reason(r).then(function (text) { show(status, "refused", text); finished(); });
    }).catch(function () {
      show(status, "failed", words("unreachable", "Failed: the server cannot be reached."));
      finished();
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".call-status[data-follow]"), function (status) {
    follow(status.getAttribute("data-follow"), status, status.getAttribute("data-progress-url") || PROGRESS_URL,
      function () {});
  });
})();
