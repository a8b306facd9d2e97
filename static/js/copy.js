// "Copy" buttons (data-copy: the id, or a "#id" selector, of the field or element whose text they copy), e.g. a new
// API token. The button itself says "Copied" for a moment, and the status right after it (role=status, made here
// when there is none) says it for screen readers. The clipboard API needs a secure origin and the browser's permission;
// without them the text is selected and copied the old way, and only if that fails too the user is asked to press
// Ctrl+C.
(function () {
  "use strict";
  var FEEDBACK_MS = 2000;
  // The words this script writes itself, translated by the page (data-copied-label, data-copied and
  // data-press-keys on the script tag); English when a page gives none.
  var script = document.currentScript;
  function words(key, english) {
    return (script && script.getAttribute("data-" + key)) || english;
  }

  function target(button) {
    var ref = button.getAttribute("data-copy") || "";
    return ref.charAt(0) === "#" ? document.querySelector(ref) : document.getElementById(ref);
  }

  function textOf(element) {
    return "value" in element && typeof element.value === "string" ? element.value : element.textContent.trim();
  }

  function statusFor(button) {
    if (!button.copyStatus) {
      var next = button.nextElementSibling;
      if (next && next.getAttribute("role") === "status") {
        button.copyStatus = next;
      } else {
        button.copyStatus = document.createElement("span");
        button.copyStatus.className = "muted copy-status";
        button.copyStatus.setAttribute("role", "status");
        button.insertAdjacentElement("afterend", button.copyStatus);
      }
    }
    return button.copyStatus;
  }

  function select(element) {
    if (typeof element.select === "function") {
      element.focus();
      element.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function oldWay(element) {
    select(element);
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  function copied(button) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = words("copied-label", "Copied");
    button.classList.add("copied");
    statusFor(button).textContent = words("copied", "Copied.");
    window.clearTimeout(button.copyTimer);
    button.copyTimer = window.setTimeout(function () {
      button.textContent = label;
      button.classList.remove("copied");
    }, FEEDBACK_MS);
  }

  function failed(button, element) {
    select(element);
    statusFor(button).textContent = words("press-keys", "Press Ctrl+C (or ⌘C) to copy the selected text.");
  }

  function copy(button) {
    var element = target(button);
    if (!element) return;
    var text = textOf(element);
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { copied(button); },
        function () { if (oldWay(element)) { copied(button); } else { failed(button, element); } }
      );
    } else if (oldWay(element)) {
      copied(button);
    } else {
      failed(button, element);
    }
  }

  var buttons = document.querySelectorAll("button[data-copy]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (event) { copy(event.currentTarget); });
  }
})();
