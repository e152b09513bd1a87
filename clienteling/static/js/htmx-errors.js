// When a partial update on a staff page is refused (404: the customer is gone or no longer agrees to
// be seen; 403: not allowed), htmx would leave the old screen in place and look frozen. Load the
// page again instead, so the server's full answer replaces whatever was on screen.
(function () {
  "use strict";
  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr.status;
    if (status === 403 || status === 404 || status === 410) {
      window.location.reload();
    }
  });
})();
