/* The main menu: sub-menus are <details> (open and close with the keyboard without any script); this adds
   what people expect of a menu bar: opening one closes the others, Escape and a click elsewhere close
   them, and on small screens the bar folds behind the "菜单" button. Loaded right after the header (not
   deferred), so the folded bar is what is first painted. Without script the bar simply wraps. */
(function () {
  "use strict";
  var header = document.querySelector("header.top");
  if (!header) return;
  header.classList.add("js-menu");
  var toggle = header.querySelector(".menu-toggle");
  function openMenus() { return header.querySelectorAll("details[open]"); }
  function closeAll(except) {
    openMenus().forEach(function (d) { if (d !== except) d.open = false; });
  }
  header.querySelectorAll("details").forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open) closeAll(d); });
  });
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = header.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = openMenus();
    if (!open.length) return;
    var focus = open[0].querySelector("summary");
    closeAll(null);
    if (focus) focus.focus();
  });
  // a click (or Enter on a summary, which is a click) closes every menu but the one it is in, at once
  document.addEventListener("click", function (event) {
    closeAll(event.target.closest ? event.target.closest("header.top details") : null);
  });
})();
