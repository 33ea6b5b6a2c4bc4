// The reception kiosk goes back to its welcome page by itself, so the next visitor never sees
// what the last one typed or the note they were shown.
// - [data-kiosk-idle]: after data-idle-seconds without a touch or a key, back to data-return-url.
// - [data-kiosk-done]: after data-return-seconds, back to data-return-url.
// - [data-refresh-seconds]: a page left on screen (the welcome page, the class's names) asks the
//   server again now and then, so a session ended from another device or timed out shows as
//   signed out, and a kiosk left running overnight keeps its session.
// Both read their number on every tick, so a test can shorten it on a page that is already open.
(function () {
  "use strict";

  var TICK_MS = 500;

  function seconds(element, name) {
    var value = parseFloat(element.getAttribute(name));
    return isFinite(value) && value > 0 ? value : null;
  }

  function leave(url) {
    // Clear what was typed before going, in case the browser keeps the page for the Back button.
    document.querySelectorAll("form").forEach(function (form) { form.reset(); });
    window.location.replace(url);
  }

  function watchIdle(element) {
    var lastActivity = Date.now();
    function touched() { lastActivity = Date.now(); }
    ["input", "change", "keydown", "pointerdown", "touchstart", "wheel", "scroll"].forEach(function (name) {
      document.addEventListener(name, touched, { capture: true, passive: true });
    });
    window.setInterval(function () {
      var limit = seconds(element, "data-idle-seconds");
      if (limit !== null && Date.now() - lastActivity >= limit * 1000) {
        leave(element.getAttribute("data-return-url"));
      }
    }, TICK_MS);
  }

  function returnLater(element) {
    var shownAt = Date.now();
    window.setInterval(function () {
      var limit = seconds(element, "data-return-seconds");
      if (limit !== null && Date.now() - shownAt >= limit * 1000) {
        leave(element.getAttribute("data-return-url"));
      }
    }, TICK_MS);
  }

  function refreshLater(element) {
    var shownAt = Date.now();
    window.setInterval(function () {
      var limit = seconds(element, "data-refresh-seconds");
      if (limit !== null && Date.now() - shownAt >= limit * 1000) {
        shownAt = Date.now();
        window.location.reload();
      }
    }, TICK_MS);
  }

  var idle = document.querySelector("[data-kiosk-idle]");
  if (idle) watchIdle(idle);
  var done = document.querySelector("[data-kiosk-done]");
  if (done) returnLater(done);
  var refresh = document.querySelector("[data-refresh-seconds]");
  if (refresh) refreshLater(refresh);

  // A page brought back by the Back button starts again from the welcome page.
  window.addEventListener("pageshow", function (event) {
    var element = idle || done;
    if (event.persisted && element) leave(element.getAttribute("data-return-url"));
  });
})();
