// Attendant menu editor (attendants:attendant_add / attendant_edit). Without this script the page still works:
// keys are added in the empty rows and removed with their checkbox. The script drives the same formset inputs:
// add/remove rows, a hint of what each action's parameter is, and a check before submitting (the server checks
// again through services.set_menu).
(function () {
  "use strict";
  var form = document.getElementById("attendant-form");
  if (!form) return;
  var rows = document.getElementById("menu-rows");
  var total = form.querySelector('input[name="menu-TOTAL_FORMS"]');
  var template = document.getElementById("menu-template");
  var initial = parseInt(form.querySelector('input[name="menu-INITIAL_FORMS"]').value, 10);
  var needs = JSON.parse(document.getElementById("needs-parameter").textContent);

  function field(tr, name) {
    return tr.querySelector('[name$="-' + name + '"]');
  }

  function visibleRows() {
    return Array.prototype.filter.call(rows.querySelectorAll("tr[data-menu-row]"), function (tr) { return !tr.hidden; });
  }

  function isBlank(tr) {
    return !field(tr, "key").value && !field(tr, "action").value && !parameter(tr);
  }

  // "Another attendant" takes its target from the select of attendant names, the other actions from the text box.
  function targetSelect(tr, action) {
    var select = tr.querySelector("select[data-for-action]");
    return select && select.getAttribute("data-for-action") === action ? select : null;
  }

  function parameter(tr) {
    var select = targetSelect(tr, field(tr, "action").value);
    return (select ? select.value : field(tr, "parameter").value).trim();
  }

  function showHint(tr) {
    var action = field(tr, "action").value;
    var param = field(tr, "parameter");
    var hint = tr.querySelector(".param-hint");
    var select = tr.querySelector("select[data-for-action]");
    if (select) {
      select.hidden = !targetSelect(tr, action);
      param.hidden = !select.hidden;
    }
    if (!action) {
      hint.textContent = "";
      param.placeholder = "";
    } else if (needs[action]) {
      hint.textContent = "Needs " + needs[action] + ".";
      param.placeholder = needs[action];
    } else {
      hint.textContent = "No parameter.";
      param.placeholder = "—";
    }
  }

  function setError(tr, message) {
    var list = tr.querySelector("ul.client-error");
    if (!message) {
      if (list) list.remove();
      field(tr, "parameter").removeAttribute("aria-invalid");
      tr.classList.toggle("has-error", !!tr.querySelector("ul.errorlist"));
      return;
    }
    if (!list) {
      list = document.createElement("ul");
      list.className = "errorlist client-error";
      list.setAttribute("role", "alert");
      field(tr, "parameter").parentNode.appendChild(list);
    }
    list.innerHTML = "";
    var li = document.createElement("li");
    li.textContent = message;
    list.appendChild(li);
    field(tr, "parameter").setAttribute("aria-invalid", "true");
    tr.classList.add("has-error");
  }

  // The same rules as services.validate_menu_item, as far as the page can tell without the database.
  function check(tr, seen) {
    if (isBlank(tr)) return null;
    var key = field(tr, "key").value;
    var action = field(tr, "action").value;
    var param = parameter(tr);
    if (!key) return "Choose a key.";
    if (!action) return "Choose an action.";
    if (seen[key]) return "Key " + key + " is already used in another row.";
    seen[key] = true;
    if (needs[action] && !param) return "Key " + key + ": this action needs " + needs[action] + ".";
    if (!needs[action] && param) return "Key " + key + ": this action takes no parameter.";
    return null;
  }

  function usedKeys() {
    var used = {};
    visibleRows().forEach(function (tr) { used[field(tr, "key").value] = true; });
    return used;
  }

  function addRow(focus) {
    var index = parseInt(total.value, 10);
    var holder = document.createElement("tbody");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
    var tr = holder.firstElementChild;
    rows.appendChild(tr);
    total.value = index + 1;
    var key = field(tr, "key");
    var used = usedKeys();
    var free = Array.prototype.find.call(key.options, function (o) { return o.value && !used[o.value]; });
    if (free) key.value = free.value;
    showHint(tr);
    if (focus !== false) key.focus();
    return tr;
  }

  rows.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-remove]");
    if (!button) return;
    var tr = button.closest("tr[data-menu-row]");
    var del = field(tr, "DELETE");
    if (del) del.checked = true;
    tr.hidden = true;
    var next = visibleRows()[0];
    (next ? field(next, "key") : document.getElementById("add-menu-row")).focus();
  });

  // "input" as well as "change": errors go away while typing, not on blur (a layout shift under the pointer
  // on blur would swallow the click that caused it).
  function edited(event) {
    var tr = event.target.closest("tr[data-menu-row]");
    if (!tr || !event.target.name.match(/-(key|action|parameter|attendant)$/)) return;
    showHint(tr);
    var server = tr.querySelector("ul[data-server-error]");
    if (server && event.target.name.match(/-(action|parameter|attendant)$/)) server.remove();
    setError(tr, null);
  }
  rows.addEventListener("input", edited);
  rows.addEventListener("change", edited);

  form.addEventListener("submit", function (event) {
    var seen = {};
    var first = null;
    visibleRows().forEach(function (tr) {
      var message = check(tr, seen);
      setError(tr, message);
      if (message && !first) first = tr;
    });
    if (first) {
      event.preventDefault();
      (targetSelect(first, field(first, "action").value) || field(first, "parameter")).focus();
    }
  });

  // With the script, keys are added with the button: drop the blank spare rows at the end of the formset.
  var spare = rows.querySelectorAll("tr[data-spare]");
  for (var i = spare.length - 1; i >= 0; i--) {
    if (spare[i] !== rows.lastElementChild || parseInt(total.value, 10) <= initial) break;
    spare[i].remove();
    total.value = parseInt(total.value, 10) - 1;
  }
  document.getElementById("add-menu-row").addEventListener("click", function () { addRow(true); });
  visibleRows().forEach(showHint);
  if (!visibleRows().length) addRow(false);
})();
