// The voicemail page: playing an unheard message marks it heard (a POST with the session's CSRF token),
// confirmations for destructive buttons, and the feed URL's copy button. Without JavaScript every
// action still works through its form.
(function () {
  "use strict";

  // The words this script writes itself, translated by the page (templates/voicemail/mailbox.html puts them on the
  // script tag); English when a page gives none.
  var script = document.currentScript;
  function words(key, english) {
    return (script && script.getAttribute("data-" + key)) || english;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  document.querySelectorAll("audio[data-heard-url]").forEach(function (audio) {
    audio.addEventListener("play", function () {
      if (audio.dataset.heard === "1") return;
      audio.dataset.heard = "1";
      var body = new URLSearchParams({ action: "heard" });
      fetch(audio.dataset.heardUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
        body: body,
      }).then(function (response) {
        // Only a stored change marks the row; otherwise the next play tries again.
        if (!response.ok) { audio.dataset.heard = "0"; return; }
        var row = audio.closest("tr");
        if (row) {
          row.classList.remove("unheard");
          row.classList.add("heard");
          var badge = row.querySelector(".badge");
          if (badge) badge.remove();
          var toggle = row.querySelector("input[name=action][value=heard]");
          if (toggle) {
            toggle.value = "unheard";
            toggle.form.querySelector("button").textContent = words("mark-unheard", "Mark unheard");
          }
        }
      }, function () { audio.dataset.heard = "0"; });
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  var copy = document.getElementById("copy-feed");
  if (copy) {
    copy.addEventListener("click", function () {
      var text = document.querySelector(copy.dataset.copy).textContent.trim();
      var status = document.getElementById("copy-status");
      var done = function () { status.textContent = words("copied", "Copied."); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { status.textContent = words("copy-by-hand", "Select and copy the address."); });
      } else {
        var range = document.createRange();
        range.selectNodeContents(document.querySelector(copy.dataset.copy));
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        try { document.execCommand("copy"); done(); } catch (e) { status.textContent = words("copy-by-hand", "Select and copy the address."); }
      }
    });
  }
})();
