// The little behaviour the pages have outside htmx, as a file: the Content-Security-Policy allows no inline script.
// A <select data-submit-on-change> sends its form as soon as a choice is made (the language switch, filters).
document.addEventListener("change", function (event) {
  var select = event.target.closest("select[data-submit-on-change]");
  if (select && select.form) {
    select.form.submit();
  }
});
