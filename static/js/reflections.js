// Writing a reflection: htmx saves the draft a few seconds after each change (see the
// form's hx-trigger). This file covers the moment the page is hidden or closed before
// that happens, and keeps autosaves from racing the final "Save".
(function () {
  "use strict";
  var form = document.getElementById("reflection-form");
  if (!form) {
    return;
  }
  var url = form.getAttribute("hx-post");
  var submitting = false;
  var unsaved = false;

  form.addEventListener("input", function () {
    unsaved = true;
  });
  form.addEventListener("submit", function () {
    submitting = true;
  });
  form.addEventListener("htmx:beforeRequest", function (event) {
    if (submitting) {
      event.preventDefault();
    }
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      unsaved = false;
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && unsaved && !submitting && navigator.sendBeacon) {
      navigator.sendBeacon(url, new FormData(form));
      unsaved = false;
    }
  });
})();
