// The phone menu (templates/base.html): under 640 px wide the main navigation folds behind
// a "Menu" button, so a page's own content and its main action come first. Without this
// script the button stays hidden and the navigation stays in view.
(function () {
  "use strict";
  var button = document.querySelector("[data-menu-button]");
  var nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) {
    return;
  }
  function isOpen() {
    return button.getAttribute("aria-expanded") === "true";
  }
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    setOpen(!isOpen());
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen() && getComputedStyle(button).display !== "none") {
      setOpen(false);
      button.focus();
    }
  });
})();
