// Ring list editor (portal:forward). Without this script the page still works: positions are typed in,
// rows removed with their checkbox, rings added in the spare row. The script only drives those same inputs.
(function () {
  "use strict";
  var form = document.getElementById("forward-form");
  if (!form) return;
  var rows = document.getElementById("ring-rows");
  var total = form.querySelector('input[name="rings-TOTAL_FORMS"]');
  var template = document.getElementById("ring-template");

  function visibleRows() {
    return Array.prototype.filter.call(rows.querySelectorAll("tr[data-ring]"), function (tr) { return !tr.hidden; });
  }

  // Positions follow the rows' order on screen; removed rows keep their delete box ticked.
  function renumber() {
    visibleRows().forEach(function (tr, i) {
      var order = tr.querySelector('input[name$="-ORDER"]');
      if (order) order.value = i + 1;
    });
  }

  function addRing() {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    var tr = holder.firstElementChild;
    rows.appendChild(tr);
    total.value = index + 1;
    renumber();
    var number = tr.querySelector('input[name$="-number"]');
    if (number) number.focus();
  }

  rows.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var tr = button.closest("tr[data-ring]");
    if (button.hasAttribute("data-remove")) {
      var del = tr.querySelector('input[name$="-DELETE"]');
      if (del) del.checked = true;
      tr.hidden = true;
      renumber();
      var next = visibleRows()[0];
      (next ? next.querySelector("input[type=text]") : document.getElementById("add-ring")).focus();
    } else if (button.dataset.move === "up") {
      var prev = tr.previousElementSibling;
      while (prev && prev.hidden) prev = prev.previousElementSibling;
      if (prev) rows.insertBefore(tr, prev);
      renumber();
      button.focus();
    } else if (button.dataset.move === "down") {
      var after = tr.nextElementSibling;
      while (after && after.hidden) after = after.nextElementSibling;
      if (after) rows.insertBefore(after, tr);
      renumber();
      button.focus();
    }
  });

  // With the script, rings are added with the button: drop the blank spare rows (always the last forms).
  Array.prototype.forEach.call(rows.querySelectorAll("tr[data-spare]"), function (tr) {
    tr.remove();
    total.value = parseInt(total.value, 10) - 1;
  });
  document.getElementById("add-ring").addEventListener("click", addRing);
  renumber();
})();
