// Small conveniences; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // A choice that changes what is shown applies at once (the switcher, the period picker).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { if (select.form) select.form.submit(); });
  });
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
