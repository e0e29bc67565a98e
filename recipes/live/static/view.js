"use strict";
// What a side's view shows of the epoch chosen (recipes/live/static/lab.js calls drawSide each
// frame): the run's state, its numbers (also as data-* attributes, which the page's tests
// read), the key to the regions, the regions (drawing.js) and the charts (charts.js). Text
// from a run or a user goes in as text only.

// An element with its attributes (those null or undefined left out) and its children.
function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  node.append(...children); // strings become text nodes: never parsed as HTML
  return node;
}

function setText(side, selector, text) {
  side.root.querySelector(selector).textContent = text ?? "";
}

function drawSide(side, scales) {
  const { run } = side;
  const event = shownEvent(side);
  const view = side.root.querySelector(".view");
  const status = runStatus(run, event);
  setText(side, ".status", status.text);
  view.dataset.status = status.state;
  view.dataset.epochs = run?.start?.epochs ?? "";
  view.dataset.lastEpoch = run ? lastEpoch(side) : "";
  view.dataset.epoch = event?.epoch ?? "";
  view.dataset.loss = event?.loss ?? "";
  view.dataset.testLoss = run?.end?.metrics?.test_loss ?? "";
  view.dataset.folder = run?.end?.folder ?? run?.folder ?? "";
  view.dataset.runId = run?.id ?? "";
  view.dataset.command = run?.start?.command ?? "";
  view.dataset.initialWeights = run?.start?.initial_weights ?? "";
  view.dataset.forceTop = scales.forceTop;
  drawRegions(side.root.querySelector("canvas.regions"), run?.start, event, scales.forceTop);
  setKey(side, run?.start);
  setNumbers(side, event);
  const history = chartHistory(run);
  drawLossChart(side.root.querySelector("canvas.loss-chart"), history, event, scales);
  drawMetricChart(side.root.querySelector("canvas.metric-chart"), history, event, scales);
}

function runStatus(run, event) {
  if (!run) return { state: "idle", text: "not started" };
  const total = run.start?.epochs;
  if (run.end) {
    const reason = run.end.reason ? `: ${run.end.reason}` : "";
    const shown = event ? ` (showing epoch ${event.epoch} of ${lastEpoch({ run })})` : "";
    return { state: run.end.status, text: `${run.end.status}${reason}${shown}` };
  }
  if (run.lost) return { state: "lost", text: "the lab does not answer: trying again..." };
  if (!event) return { state: "starting", text: "starting..." };
  return { state: "training", text: `training: epoch ${lastEpoch({ run })} of ${total ?? "?"}` };
}

function setNumbers(side, event) {
  const list = side.root.querySelector(".numbers");
  const rows = [];
  if (event) {
    rows.push(["epoch", String(event.epoch), "epoch"], ["loss", formatNumber(event.loss), "loss"]);
    if ("val_loss" in event) {
      rows.push(["validation loss", formatNumber(event.val_loss), "val_loss"]);
    }
    for (const key of metricKeys(event)) {
      const validation = event[`val_${key}`];
      const text = formatNumber(event[key])
        + (validation != null ? ` (validation ${formatNumber(validation)})` : "");
      rows.push([key.replaceAll("_", " "), text, key]);
    }
    const share = event.hardest_share;
    const carried = share == null ? "no point pushed" : `${Math.round(share * 100)}% of the force`;
    rows.push(["hardest 10% carry", carried, "hardest_share"]);
  }
  const tested = testScores(side.run?.end?.metrics);
  if (tested) rows.push(["test set (end)", tested, "test"]);
  list.replaceChildren(...rows.flatMap(([name, text, key]) => [
    element("dt", {}, name), element("dd", { "data-key": key }, text)]));
}

// A completed run's scores on the test set (its metrics.json's test_ values), as one line;
// the recipe's own name for its accuracy is left out where the lab's ``accuracy`` says it.
function testScores(metrics) {
  const keys = Object.keys(metrics || {}).filter((key) => key.startsWith("test_")
    && typeof metrics[key] === "number");
  if (!keys.length) return "";
  const names = keys.map((key) => key.slice(5));
  const shown = names.includes("accuracy")
    ? names.filter((name) => name === "accuracy" || !name.endsWith("accuracy")) : names;
  return shown
    .map((name) => `${name.replaceAll("_", " ")} ${formatNumber(metrics[`test_${name}`])}`)
    .join(", ");
}

function setKey(side, start) {
  const key = side.root.querySelector(".key");
  if (!start) {
    key.replaceChildren();
    return;
  }
  const classes = classesOf(start);
  const names = classes.map((label) => start.class_names?.[String(label)] ?? `class ${label}`);
  const levels = start.margin_levels || [];
  const signed = start.label_kind === "plus_minus_one";
  const lines = levels.length !== 3 ? [] : [signed
    ? `solid line: the threshold (score ${levels[1]}); `
      + `dashed: the margins (score ${levels[0]} / +${levels[2]})`
    : `solid line: p = ${levels[1]}; dashed: the margins (p = ${levels[0]} / ${levels[2]})`];
  key.replaceChildren(
    element("span", {}, ...classes.map((_, index) => element("span", { class: "swatch-row" },
      element("span", { class: "swatch", style: `background:${CLASS_COLOURS[index]}` }),
      `${names[index]} region`))),
    ...lines.map((line) => element("span", {}, line)),
    element("span", {}, `test points: \u25a0 ${names[0]}, \u25b2 ${names[1]}; size and colour: `
      + "the loss's force on each, |d loss / d score| (log scale, one scale for both sides)"),
  );
}

function classesOf(start) {
  return start.label_kind === "plus_minus_one" ? [-1, 1] : [0, 1];
}

// "side A", and what a sweep's run varies when it is one's replay ("loss = hinge").
function titleSide(side) {
  const comparing = lab.sides.length > 1;
  const title = side.root.querySelector(".side-title");
  title.textContent = [comparing ? `side ${side.name}` : "", side.run?.start?.varies]
    .filter(Boolean).join(": ");
  title.hidden = !title.textContent;
}
