// The waiting page of a governor report being prepared: asks status.json every 2 seconds, moves the
// progress bar, and reloads the page once the report is ready (or has failed). Without JavaScript a
// <noscript> refresh reloads the whole page every 5 seconds instead.
(function () {
  "use strict";
  var bar = document.getElementById("report-progress");
  if (!bar || !window.fetch) { return; }
  var fill = bar.querySelector(".progress-bar");
  var text = document.getElementById("report-progress-text");
  var url = bar.dataset.statusUrl;
  var delay = 2000;

  function show(percent) {
    bar.setAttribute("aria-valuenow", String(percent));
    fill.style.width = percent + "%";
    if (text && text.dataset.template) {
      text.textContent = text.dataset.template.replace("{percent}", String(percent));
    }
  }

  function ask() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (status) {
        delay = 2000;
        show(status.progress || 0);
        if (status.ready || status.stuck || status.state !== "generating") {
          window.location.reload();
          return;
        }
        window.setTimeout(ask, delay);
      })
      .catch(function () {
        // A dropped connection or a signed-out session: ask less often, and never give up silently
        // (a reload shows the sign-in page if that is the reason).
        delay = Math.min(delay * 2, 30000);
        if (delay >= 30000) { window.location.reload(); return; }
        window.setTimeout(ask, delay);
      });
  }

  window.setTimeout(ask, delay);
})();
