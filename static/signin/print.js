// The recovery codes page's Print button: hidden in the page, shown here, as it needs JavaScript.
// What is printed (the codes only) is the print stylesheet's job (portal.css, .signin-print-area).
document.querySelectorAll("[data-signin-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
