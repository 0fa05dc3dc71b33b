/* The main navigation on a phone: collapsed behind a "菜单" button that opens and closes it
   (a real <button>, so Enter and Space work; Escape closes it and returns focus). Without
   this script the button stays hidden and the navigation stays open: nothing is lost. */
(function () {
  "use strict";

  var nav = document.querySelector(".site-nav");
  var toggle = nav && nav.querySelector(".site-nav__toggle");
  if (!toggle) {
    return;
  }

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("site-nav--open", open);
  }

  nav.classList.add("site-nav--collapsible");
  toggle.hidden = false;
  setOpen(false);

  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });

  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();
