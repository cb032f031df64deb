// The pages' only script, loaded from a file: the Content-Security-Policy forbids inline scripts
// and on*= handlers (tracker/core/security.py).
//   <form data-confirm="…">, <button data-confirm="…">: ask before submitting;
//   <input data-select-on-click>: select the whole value (a feed URL to copy);
//   <form data-item-search="url"> with <input data-item-picker list="…">: suggestions from the server
//   as one types (the plan chosen in the form's plan_id select); without script the field takes a code.
(function () {
  "use strict";
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
