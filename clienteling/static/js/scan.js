// Read a membership QR with the tablet camera: the browser's BarcodeDetector where it exists,
// otherwise jsQR (vendored) on video frames. The decoded text goes to the server, which checks it.
(function () {
  "use strict";
  const video = document.getElementById("scan-video");
  const status = document.getElementById("scan-status");
  const form = document.getElementById("scan-form");
  const input = document.getElementById("scan-code");
  if (!video || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    if (status) status.textContent = "This device has no camera we can use; type the code instead.";
    return;
  }
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let detector = null;
  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  }
  function found(text) {
    input.value = text;
    status.textContent = "Found it. Opening…";
    video.srcObject && video.srcObject.getTracks().forEach(function (t) { t.stop(); });
    form.submit();
  }
  async function tick() {
    if (video.readyState >= 2) {
      if (detector) {
        const codes = await detector.detect(video).catch(function () { return []; });
        if (codes.length) return found(codes[0].rawValue);
      } else if (window.jsQR) {
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) return found(code.data);
      }
    }
    requestAnimationFrame(tick);
  }
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
    .then(function (stream) {
      video.srcObject = stream;
      return video.play();
    })
    .then(function () { status.textContent = "Hold the code inside the frame."; tick(); })
    .catch(function () { status.textContent = "The camera is not available; type the code instead."; });
})();
