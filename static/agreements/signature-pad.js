// Optional drawn signature. Typing your name is always enough; drawing adds to it.
// Each [data-signature-pad] block holds a canvas, a hidden input and a "Clear" button.
(function () {
  "use strict";

  function setUp(block) {
    var canvas = block.querySelector("canvas");
    var input = block.querySelector("input[type=hidden]");
    var clear = block.querySelector("[data-signature-clear]");
    var status = block.querySelector("[data-signature-status]");
    var context = canvas.getContext("2d");
    var drawing = false;
    var hasInk = false;

    function resize() {
      // Match the canvas's pixels to its size on screen, so the line follows the finger.
      var ratio = window.devicePixelRatio || 1;
      var width = canvas.clientWidth;
      var height = canvas.clientHeight;
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
      hasInk = false;
      input.value = "";
      if (status) status.textContent = "";
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
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
        if (status) status.textContent = status.getAttribute("data-drawn-text") || "";
      }
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    canvas.addEventListener("pointerleave", finish);

    clear.addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      hasInk = false;
      input.value = "";
      if (status) status.textContent = "";
    });

    block.hidden = false;
    resize();
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
