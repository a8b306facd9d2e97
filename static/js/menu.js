// The page menus (base.html). The main menu is a <details> sent open, so that it works without this script; on a
// narrow screen the script folds it (its summary, the "Menu" button, opens it), and on a wide one keeps it open,
// also when the window changes between the two. The administrator's account menu closes on Escape and on a
// click or tap outside it. Loaded right after the menu, before the page's content, so a phone never shows it open.
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  var wide = window.matchMedia("(min-width: 56.01em)");  // the stylesheet's breakpoint (56em and narrower: a phone)

  function fit() {
    if (menu) menu.open = wide.matches;
  }
  fit();
  if (wide.addEventListener) wide.addEventListener("change", fit);

  function accountMenus() {
    return document.querySelectorAll("details.user-menu[open]");
  }
  document.addEventListener("click", function (event) {
    Array.prototype.forEach.call(accountMenus(), function (details) {
      if (!details.contains(event.target)) details.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    Array.prototype.forEach.call(accountMenus(), function (details) {
      details.open = false;
      details.querySelector("summary").focus();
    });
    if (menu && menu.open && !wide.matches && menu.contains(document.activeElement)) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
