// An error summary's link moves the keyboard focus to the field it names. The browser does that by
// itself for a single control, but not when the link names a wrapper (a checkbox list, a fieldset),
// and it scrolls the control to the very top, hiding its label: here the label or legend is kept in view.
document.addEventListener("click", function (event) {
  var link = event.target.closest(".form-errors-summary a[href^='#']");
  if (!link) {
    return;
  }
  var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
  if (!field) {
    return;
  }
  event.preventDefault();
  if (!field.matches("input, select, textarea, button, a[href], [tabindex]")) {
    // A wrapper (a checkbox list or a fieldset): its first control.
    field = field.querySelector("input:not([type=hidden]), select, textarea, button") || field;
  }
  var caption = field.closest("fieldset") ? field.closest("fieldset").querySelector("legend") : null;
  caption = caption || (field.id ? document.querySelector("label[for='" + field.id + "']") : null);
  (caption || field).scrollIntoView({block: "start"});
  field.focus({preventScroll: true});
  history.replaceState(null, "", link.getAttribute("href"));
});
