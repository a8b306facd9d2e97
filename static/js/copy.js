// A "Copy to clipboard" button (data-copy: the id of the field whose value it copies), e.g. a new API token.
// Without the clipboard API (an insecure origin) the field's text is selected for the user to copy.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy]");
  function say(text) {
    var result = document.getElementById("copy-result");
    if (result) result.textContent = text;
  }
  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { say("Copied."); },
        function () { say("Press Ctrl+C (or ⌘C) to copy the selected token."); }
      );
    } else {
      say("Press Ctrl+C (or ⌘C) to copy the selected token.");
    }
  }
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (event) { copy(event.currentTarget); });
  }
})();
