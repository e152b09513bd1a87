// Lock a shared tablet nobody has touched for a while: hide the page at once, then sign out.
// The server enforces the same limit (accounts.middleware.IdleLockMiddleware) when this cannot run.
(function () {
  "use strict";
  const form = document.getElementById("idle-lock");
  if (!form) return;
  const limit = Number(form.dataset.seconds) * 1000;
  let timer;
  function lockNow() {
    document.body.classList.add("locked");
    form.submit();
  }
  function reset() {
    clearTimeout(timer);
    timer = setTimeout(lockNow, limit);
  }
  ["pointerdown", "keydown", "scroll", "touchstart"].forEach(function (name) {
    window.addEventListener(name, reset, { passive: true });
  });
  // A tablet that slept longer than the limit locks as soon as it wakes.
  let hiddenAt = null;
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { hiddenAt = Date.now(); return; }
    if (hiddenAt && Date.now() - hiddenAt > limit) lockNow();
  });
  reset();
})();
