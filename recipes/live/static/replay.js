"use strict";
// Replays of finished runs (docs/lab.md): a run or sweep folder the lab was started with, or
// one the outputs index opens (?open=<recipe>/<run-id>), is followed as a live run is, from
// the events the lab builds from its recording; a sweep's runs two at a time, each side with
// a choice of which. A saved replay file (recipes/live/export.py) holds the events inlined and
// is drawn with no lab at all. And what is on screen can be saved as one PNG.

// Open the replays the lab was started with, or the folder the address names.
async function openReplays(opened, folder) {
  const outputs = document.getElementById("outputs-link");
  outputs.href = withToken("/outputs/");
  outputs.hidden = false;
  let runs = opened || [];
  if (folder) {
    const { ok, answer } = await api("/api/replays", { folder });
    if (!ok) {
      document.getElementById("page-message").textContent = answer.error;
      return;
    }
    runs = answer;
  }
  if (!runs.length) return;
  lab.opened = runs;
  const compare = document.getElementById("compare");
  if (compare.checked !== runs.length > 1) {
    compare.checked = runs.length > 1;
    compare.dispatchEvent(new Event("change"));
  }
  lab.sides.forEach((side, index) => showReplay(side, runs[Math.min(index, runs.length - 1)]));
}

// A side shows one of the opened runs; with more than two, a choice of which.
function showReplay(side, run) {
  lab.shownEpoch = null;
  if (lab.opened.length > 2) replayChoice(side, run);
  follow(side, run);
  setText(side, ".command", "");
  updateScrubber();
}

function replayChoice(side, run) {
  let choice = side.root.querySelector(".replay-choice");
  if (!choice) {
    choice = element("select", { class: "replay-choice", "aria-label": "the run shown" },
      ...lab.opened.map((item) => element("option", { value: item.id }, item.label || item.folder)));
    // a choice of replay is no changed setting: nothing trains
    choice.addEventListener("input", (event) => event.stopPropagation());
    choice.addEventListener("change", (event) => {
      event.stopPropagation();
      showReplay(side, lab.opened.find((item) => item.id === choice.value));
    });
    side.root.querySelector(".view").prepend(element("label", {}, "run ", choice));
  }
  choice.value = run.id;
}

// A replay's side: its controls set to the run's own settings (its config.yaml), so that a
// changed setting trains from what the run was, not from the recipe.
function settingsOfRun(side, config) {
  if (!side.loss) return;
  const values = {};
  for (const c of sideControls(side)) values[c.key] = at(config, c.key);
  for (const [key, value] of Object.entries(config.loss || {})) values[`loss.${key}`] = value;
  for (const fieldset of side.root.querySelectorAll("form fieldset")) {
    fieldset.replaceChildren(fieldset.querySelector("legend"));
  }
  side.controls = [];
  buildSide(side, Object.fromEntries(Object.entries(values).filter(([, v]) => v != null)));
}

// A saved replay file: its runs side by side, no controls, nothing asked of a lab.
function showSavedReplay(saved) {
  lab.offline = true;
  document.body.classList.add("saved-replay");
  document.querySelector("h1").textContent = "a run's replay, saved from the lab";
  lab.sides = saved.runs.map((events, index) => {
    const root = document.getElementById("side-template").content.firstElementChild
      .cloneNode(true);
    root.querySelector("form").remove();
    const side = { name: "AB"[index] || String(index + 1), root, controls: [], run: null };
    root.dataset.side = side.name;
    document.getElementById("sides").append(root);
    const state = newRunState(side, events[0][1]);
    for (const [name, data] of events) accept(side, state, name, data);
    return side;
  });
  arrangeSides();
  updateScrubber();
  document.getElementById("scrubber").addEventListener("input", scrubbed);
  document.getElementById("save-png").addEventListener("click", savePng);
  window.addEventListener("resize", redraw);
}

// What a side's charts draw: a replay's every epoch (its history; the hardest share at the
// recorded epochs), else the run's events so far.
function chartHistory(run) {
  if (!run) return [];
  if (!run.start?.history) return run.events;
  const recorded = new Map(run.events.map((event) => [event.epoch, event]));
  return run.start.history.map((row) => ({
    ...row, hardest_share: recorded.get(row.epoch)?.hardest_share,
  }));
}

// The canvases on screen composed into one image, a side a column (its title, the regions,
// the two charts), downloaded as a PNG.
function savePng() {
  const gap = 12;
  const columns = lab.sides.map((side) => ({
    titles: [ // what the side is (its sweep's setting, its folder's name), then its status
      [side.root.querySelector(".side-title").textContent,
        (side.run?.folder || "").split(/[\\/]/).pop()].filter(Boolean).join(": "),
      side.root.querySelector(".status").textContent],
    canvases: ["canvas.regions", "canvas.loss-chart", "canvas.metric-chart"]
      .map((selector) => side.root.querySelector(selector)),
  }));
  const width = (column) => Math.max(...column.canvases.map((canvas) => canvas.width));
  const height = (column) => column.canvases.reduce((sum, canvas) => sum + canvas.height + gap, 48);
  const image = document.createElement("canvas");
  image.width = columns.reduce((sum, column) => sum + width(column) + gap, gap);
  image.height = Math.max(...columns.map(height)) + gap;
  const context = image.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, image.width, image.height);
  let left = gap;
  for (const column of columns) {
    context.fillStyle = "#222";
    context.font = "14px sans-serif";
    column.titles.forEach((title, line) => context.fillText(title, left, 18 + 18 * line,
      width(column)));
    let top = 48;
    for (const canvas of column.canvases) {
      context.drawImage(canvas, left, top);
      top += canvas.height + gap;
    }
    left += width(column) + gap;
  }
  image.toBlob((blob) => {
    const link = element("a", { download: `lab-epoch-${lab.shownEpoch ?? "last"}.png` });
    link.href = URL.createObjectURL(blob);
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }, "image/png");
}
