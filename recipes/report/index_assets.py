"""The style sheet and the script of ``outputs/index.html``, inlined into the page so the file
works opened from disk as well as served (``make serve``): no server, no other file.

The script (plain JavaScript, no library) sorts a table by the header clicked (numbers as
numbers, empty cells last, a second click reverses) and filters every row by recipe and loss,
hiding a sweep group none of whose runs is left.
"""

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fafafa; }
h1 { margin-bottom: 0.2rem; }
.controls { margin: 0.8rem 0; display: flex; gap: 1.2rem; align-items: center; }
.controls label { font-size: 0.9rem; }
.group { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 0.9rem;
         margin: 0.7rem 0; }
.group > summary { cursor: pointer; font-weight: 600; }
.group > summary .meta { font-weight: normal; }
.status { font-weight: 600; padding: 0.05rem 0.45rem; border-radius: 4px; font-size: 0.85rem; }
.completed { background: #dff3e0; color: #1d6b22; }
.failed { background: #fbe0e0; color: #9b1c1c; }
.interrupted, .running, .stopped { background: #fff3cd; color: #7a5a00; }
.meta { color: #555; font-size: 0.88rem; }
.reason { color: #9b1c1c; font-family: monospace; font-size: 0.8rem; display: block; }
table.runs { border-collapse: collapse; margin: 0.4rem 0; font-size: 0.86rem; }
table.runs td, table.runs th { border: 1px solid #ddd; padding: 0.2rem 0.45rem;
                               vertical-align: top; text-align: left; }
table.runs th { background: #f0f0f0; cursor: pointer; user-select: none; white-space: nowrap; }
table.runs th[aria-sort="ascending"]::after { content: " \\25B2"; }
table.runs th[aria-sort="descending"]::after { content: " \\25BC"; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
td details summary { cursor: pointer; color: #555; font-size: 0.75rem; }
.scroll { overflow-x: auto; }
td .meta { font-size: 0.75rem; max-width: 16rem; }
.thumbs { display: flex; flex-wrap: nowrap; gap: 0.4rem; }
.thumbs figure { margin: 0; text-align: center; font-size: 0.7rem; color: #555; }
.thumbs img, .thumbs video { height: 60px; border: 1px solid #ccc; background: #fff; }
.thumbs.figures { flex-wrap: wrap; margin: 0.5rem 0; }
.figures img, .figures video { height: 190px; }
"""

SCRIPT = """
(function () {
  "use strict";
  var recipe = document.getElementById("filter-recipe");
  var loss = document.getElementById("filter-loss");
  var shown = document.getElementById("shown-count");

  function applyFilters() {
    var count = 0;
    document.querySelectorAll("tr.run").forEach(function (row) {
      var keep = (!recipe.value || row.dataset.recipe === recipe.value) &&
                 (!loss.value || row.dataset.loss === loss.value);
      row.hidden = !keep;
      if (keep) { count += 1; }
    });
    document.querySelectorAll(".group").forEach(function (group) {
      group.hidden = group.querySelector("tr.run:not([hidden])") === null;
    });
    shown.textContent = String(count);
  }

  function cellValue(row, index) {
    var cell = row.cells[index];
    var sort = cell.getAttribute("data-sort");
    return sort !== null ? sort : cell.textContent.trim();
  }

  function isNumber(text) { return text !== "" && isFinite(Number(text)); }

  function compare(a, b, ascending) {
    if (a === "" || b === "") { return (a === "") - (b === ""); }  // empty cells last
    var order = isNumber(a) && isNumber(b) ? Number(a) - Number(b) : a.localeCompare(b);
    return ascending ? order : -order;
  }

  function sortBy(header) {
    var table = header.closest("table");
    var index = header.cellIndex;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.from(body.rows);
    rows.sort(function (x, y) {
      return compare(cellValue(x, index), cellValue(y, index), ascending);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  document.querySelectorAll("table.runs th").forEach(function (header) {
    header.addEventListener("click", function () { sortBy(header); });
  });
  recipe.addEventListener("change", applyFilters);
  loss.addEventListener("change", applyFilters);
  applyFilters();
})();
"""
