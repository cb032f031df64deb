// The pages' only script, loaded from a file: the Content-Security-Policy forbids inline scripts
// and on*= handlers (tracker/core/security.py).
//   <form data-confirm="…">, <button data-confirm="…">: ask before submitting;
//   <input data-select-on-click>: select the whole value (a feed URL to copy).
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
})();
