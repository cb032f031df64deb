// The pages' only script, loaded from a file: the Content-Security-Policy forbids inline scripts
// and on*= handlers (tracker/core/security.py).
//   <form data-confirm="…">, <button data-confirm="…">: ask before submitting;
//   <input data-select-on-click>: select the whole value (a feed URL to copy);
//   <div data-job-status="URL">: follow a background job (a report being rendered) and open its
//   file when it is done.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-select-on-click")) {
      target.select();
    }
  });

  function followJob(box) {
    var url = box.getAttribute("data-job-status");
    var label = box.querySelector("[data-job-label]");
    var errorBox = box.querySelector("[data-job-error]");
    var delay = 1000;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (status) {
          if (label) { label.textContent = status.label; }
          if (status.state === "done" && status.file_url) {
            window.location.href = status.file_url;
          } else if (status.state === "failed") {
            if (errorBox) { errorBox.textContent = status.error; errorBox.hidden = false; }
          } else {
            window.setTimeout(poll, delay);
          }
        })
        .catch(function () {
          delay = Math.min(delay * 2, 10000);
          window.setTimeout(poll, delay);
        });
    }
    window.setTimeout(poll, 500);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-job-status]");
    for (var i = 0; i < boxes.length; i += 1) { followJob(boxes[i]); }
  });
})();
