// Small conveniences; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // A form sent once is not sent twice by a second click while the page loads.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      setTimeout(function () { form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; }); }, 0);
    });
  });
});
// A page shown again from the back-forward cache gets its buttons back.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
});
