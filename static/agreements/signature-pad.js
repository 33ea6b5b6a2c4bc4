// Optional drawn signature. Typing your name is always enough; drawing adds to it.
// Each [data-signature-pad] block holds a canvas, a hidden input and a "Clear" button.
// A drawing sent back with a form that had another error is drawn again from the hidden input.
(function () {
  "use strict";

  // The server refuses drawings over 2000 x 1000 pixels (agreements/drawing.py): a wide canvas on a
  // high-density screen (a kiosk tablet) would pass that, so the pixel ratio is capped.
  var MAX_WIDTH = 1600;
  var MAX_HEIGHT = 800;

  function setUp(block) {
    var canvas = block.querySelector("canvas");
    var input = block.querySelector("input[type=hidden]");
    var clear = block.querySelector("[data-signature-clear]");
    var status = block.querySelector("[data-signature-status]");
    var context = canvas.getContext("2d");
    var drawing = false;
    var hasInk = false;

    function size() {
      // Enough pixels for a sharp line, within the server's limit. False while the pad is not shown.
      var width = canvas.clientWidth;
      var height = canvas.clientHeight;
      if (!width || !height) return false;
      var ratio = Math.min(window.devicePixelRatio || 1, MAX_WIDTH / width, MAX_HEIGHT / height);
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      // Resizing a canvas resets its pen, so set it each time.
      context.lineWidth = 2.5 * ratio;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
      return true;
    }

    function showDrawn(drawn) {
      if (status) status.textContent = drawn ? status.getAttribute("data-drawn-text") || "" : "";
    }

    function reset() {
      context.clearRect(0, 0, canvas.width, canvas.height);
      hasInk = false;
      input.value = "";
      showDrawn(false);
    }

    function point(event) {
      // In the canvas's own pixels, measured against its size now (a phone may have been turned).
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * canvas.width / box.width,
        y: (event.clientY - box.top) * canvas.height / box.height
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      if (!canvas.width && !size()) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      hasInk = true;
    });
    function finish() {
      if (!drawing) return;
      drawing = false;
      if (hasInk) {
        input.value = canvas.toDataURL("image/png");
        showDrawn(true);
      }
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    canvas.addEventListener("pointerleave", finish);

    clear.addEventListener("click", reset);

    var kept = input.value;
    block.hidden = false;
    if (!size()) canvas.width = 0;
    reset();
    if (kept && kept.indexOf("data:image/png;base64,") === 0) {
      var image = new Image();
      image.onload = function () {
        if (!canvas.width && !size()) return;
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        hasInk = true;
        input.value = kept;
        showDrawn(true);
      };
      image.src = kept;
    }
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
