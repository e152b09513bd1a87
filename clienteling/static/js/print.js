// A button marked data-print prints the page (a script file, not an inline handler: the CSP allows
// no inline script).
document.addEventListener("click", function (event) {
  if (event.target instanceof Element && event.target.closest("[data-print]")) window.print();
});
