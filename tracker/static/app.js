// The pages' only script, loaded from a file: the Content-Security-Policy forbids inline scripts
// and on*= handlers (tracker/core/security.py).
//   <form data-confirm="…">, <button data-confirm="…">: ask before submitting;
//   <input data-select-on-click>: select the whole value (a feed URL to copy);
//   <input type=file data-max-bytes="…" data-max-message="…">: refuse, before sending, files whose
//     total is over the server's limit (the server answers 413 with the form again anyway);
//   <textarea data-required-message="…">: a required text, with the message in Vietnamese rather
//     than the browser's own.
//   <div data-job-status="URL">: follow a background job (a report being rendered) and open its
//   file when it is done, or with data-job-reload reload the page (which then shows the file);
//   on failure show [data-job-error] with the message and [data-job-retry] (a link asking again).
//   <form data-item-search="url"> with <input data-item-picker list="…">: suggestions from the server
//   as one types (the plan chosen in the form's plan_id select); without script the field takes a code.
(function () {
  "use strict";

  function tooLarge(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    if (!limit || !input.files) {
      return false;
    }
    var total = 0;
    for (var i = 0; i < input.files.length; i += 1) {
      total += input.files[i].size;
    }
    return total > limit;
  }

  function checkSize(input) {
    input.setCustomValidity(tooLarge(input) ? input.getAttribute("data-max-message") || "Tệp quá lớn." : "");
  }

  function problem(form) {
    var inputs = form.querySelectorAll("input[type=file][data-max-bytes]");
    for (var i = 0; i < inputs.length; i += 1) {
      checkSize(inputs[i]);
      if (!inputs[i].checkValidity()) {
        return inputs[i];
      }
    }
    var texts = form.querySelectorAll("[data-required-message]");
    for (var j = 0; j < texts.length; j += 1) {
      var empty = !texts[j].value || !texts[j].value.trim();
      texts[j].setCustomValidity(empty ? texts[j].getAttribute("data-required-message") : "");
      if (empty) {
        return texts[j];
      }
    }
    return null;
  }

  var pending = null;
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-item-picker")) {
      return;
    }
    var form = input.form;
    var list = document.getElementById(input.getAttribute("list"));
    if (!form || !list || !form.getAttribute("data-item-search")) {
      return;
    }
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      var plan = form.querySelector("select[name=plan_id]");
      var url = form.getAttribute("data-item-search") + "?ke-hoach=" + encodeURIComponent(plan ? plan.value : "") +
        "&q=" + encodeURIComponent(input.value);
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {items: []}; })
        .then(function (data) {
          list.replaceChildren();
          data.items.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.ref;
            option.label = item.label;
            option.textContent = item.label;
            list.appendChild(option);
          });
        })
        .catch(function () { /* no suggestions: the field still takes a typed code */ });
    }, 200);
  });
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var invalid = problem(event.target);
    if (invalid) {
      event.preventDefault();
      invalid.reportValidity();
      invalid.focus();
      return;
    }
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.type === "file" && target.hasAttribute("data-max-bytes")) {
      checkSize(target);
      if (!target.checkValidity()) {
        target.reportValidity();
      }
    }
  });
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-required-message")) {
      target.setCustomValidity("");
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
    var retry = box.querySelector("[data-job-retry]");
    var reload = box.hasAttribute("data-job-reload");
    var delay = 1000;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (status) {
          if (label) { label.textContent = status.label; }
          if (status.state === "done" && reload) {
            window.location.reload();
          } else if (status.state === "done" && status.file_url) {
            window.location.href = status.file_url;
          } else if (status.state === "failed") {
            if (errorBox) { errorBox.textContent = status.error; errorBox.hidden = false; }
            if (retry) { retry.hidden = false; }
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
