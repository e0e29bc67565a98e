"use strict";
// The lab's line charts by epoch (recipes/live/static/lab.js draws them each frame): the losses
// on a log axis, the metrics and the hardest 10%'s share of the force on a linear one. Plain
// canvas: no library, nothing fetched.

// A line chart: ``series`` [{label, colour, points: [[epoch, value]]}], over epochs 1 to
// ``epochs``, on a log axis between ``range``'s ends (``log``) or from 0 to ``range[1]``, with
// a dotted line at the epoch shown (``marker``).
function drawChart(canvas, { title, series, epochs, range, log, marker }) {
  const { context, width, height } = context2d(canvas);
  context.font = "11px sans-serif";
  context.fillStyle = "#222";
  context.textAlign = "left";
  context.textBaseline = "alphabetic";
  context.fillText(title, 4, 12);
  const legendBottom = drawLegend(context, series, 4, width - 4, 26);
  const box = { left: 46, top: legendBottom + 8, right: width - 10, bottom: height - 20 };
  let [low, high] = range;
  if (log) {
    low = 10 ** Math.floor(Math.log10(low));
    high = 10 ** Math.ceil(Math.log10(high));
    if (low === high) high = low * 10;
  }
  const toX = (epoch) => box.left
    + (epochs > 1 ? (epoch - 1) / (epochs - 1) : 0.5) * (box.right - box.left);
  const fraction = (value) => (log ? Math.log10(value / low) / Math.log10(high / low)
    : value / high);
  const toY = (value) => box.bottom
    - Math.max(0, Math.min(1, fraction(value))) * (box.bottom - box.top);
  drawAxes(context, box, log ? decades(low, high) : [0, 0.25, 0.5, 0.75, 1].map((t) => t * high),
    epochs, toX, toY);
  if (marker) {
    context.strokeStyle = "#999";
    context.setLineDash([3, 3]);
    context.beginPath();
    context.moveTo(toX(marker), box.top);
    context.lineTo(toX(marker), box.bottom);
    context.stroke();
    context.setLineDash([]);
  }
  context.lineWidth = 1.8;
  for (const { colour, points } of series) {
    const shown = points.filter(([, value]) => value != null && (!log || value > 0));
    context.strokeStyle = colour;
    context.fillStyle = colour;
    context.beginPath();
    shown.forEach(([epoch, value], index) => {
      if (index === 0) context.moveTo(toX(epoch), toY(value));
      else context.lineTo(toX(epoch), toY(value));
    });
    context.stroke();
    if (shown.length === 1) context.fillRect(toX(shown[0][0]) - 2, toY(shown[0][1]) - 2, 4, 4);
  }
  const values = series.flatMap(({ points }) => points.map(([, value]) => value))
    .filter((value) => value != null);
  if (log && values.length && !values.some((value) => value > 0)) {
    context.fillStyle = "#a00";
    context.textAlign = "center";
    context.textBaseline = "middle";
    context.fillText("this loss is negative or 0: a log axis cannot draw it",
      (box.left + box.right) / 2, (box.top + box.bottom) / 2);
  }
}

// The series' names, each after a stroke of its colour, in lines from ``top`` that wrap at
// ``right``; returns where the last line ends.
function drawLegend(context, series, left, right, top) {
  let x = left;
  let y = top;
  for (const { label, colour } of series) {
    const width = context.measureText(label).width + 27;
    if (x > left && x + width > right) {
      x = left;
      y += 14;
    }
    context.fillStyle = colour;
    context.fillRect(x, y - 5, 12, 2.5);
    context.fillStyle = "#222";
    context.fillText(label, x + 15, y);
    x += width;
  }
  return y;
}

function drawAxes(context, box, ticks, epochs, toX, toY) {
  context.strokeStyle = "#ddd";
  context.lineWidth = 1;
  context.fillStyle = "#222";
  context.textAlign = "right";
  context.textBaseline = "middle";
  for (const tick of ticks) {
    context.beginPath();
    context.moveTo(box.left, toY(tick));
    context.lineTo(box.right, toY(tick));
    context.stroke();
    context.fillText(formatNumber(tick), box.left - 4, toY(tick));
  }
  context.textAlign = "center";
  context.textBaseline = "top";
  for (const epoch of new Set([1, Math.round((1 + epochs) / 2), epochs])) {
    context.textAlign = epoch === epochs && epochs > 1 ? "right" : "center";
    context.fillText(String(epoch), toX(epoch), box.bottom + 4);
  }
  context.textAlign = "left";
  context.fillText("epoch", toX(1) + 10, box.bottom + 4);
}

// Powers of ten from ``low`` to ``high``: every other one past five of them.
function decades(low, high) {
  const count = Math.round(Math.log10(high / low));
  const step = count > 5 ? 2 : 1;
  const ticks = [];
  for (let power = 0; power <= count; power += step) ticks.push(low * 10 ** power);
  return ticks;
}


// The metrics an epoch logged (not the losses, not their validation twins). The lab names
// the recipe's accuracy metric ``accuracy`` too: where it does, the other accuracies are it.
function metricKeys(event) {
  const keys = Object.keys(event || {}).filter((key) =>
    !EVENT_KEYS.has(key) && !key.endsWith("loss") && !key.startsWith("val_")
    && (typeof event[key] === "number" || event[key] === null));
  return keys.includes("accuracy")
    ? keys.filter((key) => key === "accuracy" || !key.endsWith("accuracy")) : keys;
}

function drawLossChart(canvas, history, event, scales) {
  const series = ["loss", "val_loss"].filter((key) => history.some((e) => e[key] != null))
    .map((key, index) => ({
      label: key === "loss" ? "training" : "validation",
      colour: SERIES_COLOURS[index],
      points: history.map((e) => [e.epoch, e[key]]),
    }));
  drawChart(canvas, {
    title: "loss (log scale)", series, epochs: scales.epochs, range: scales.loss, log: true,
    marker: event?.epoch,
  });
}

function drawMetricChart(canvas, history, event, scales) {
  const keys = metricKeys(history[history.length - 1]);
  const series = keys.flatMap((key) => [key, `val_${key}`])
    .filter((key) => history.some((e) => e[key] != null))
    .map((key, index) => ({
      label: key.replaceAll("_", " ").replace(/^val /, "validation "),
      colour: SERIES_COLOURS[index % SERIES_COLOURS.length],
      points: history.map((e) => [e.epoch, e[key]]),
    }));
  series.push({
    label: "hardest 10%'s share of the force", colour: SHARE_COLOUR,
    points: history.map((e) => [e.epoch, e.hardest_share]),
  });
  drawChart(canvas, {
    title: "metrics; the hardest 10%'s share", series, epochs: scales.epochs,
    range: [0, scales.metricTop], log: false, marker: event?.epoch,
  });
}

// The fields of an epoch's event that are not numbers to chart.
const EVENT_KEYS = new Set(["epoch", "grid_scores", "point_scores", "point_forces",
  "hardest_share"]);

// What a run's epochs reach, widened as each comes: the shared scales are drawn from it.
function newReach() {
  return { forceTop: 0, lossLow: Infinity, lossHigh: 0, metricTop: 1 };
}

function widen(reach, event) {
  for (const force of event.point_forces || []) reach.forceTop = Math.max(reach.forceTop, force);
  for (const [key, value] of Object.entries(event)) {
    if (EVENT_KEYS.has(key) || typeof value !== "number") continue;
    if (!key.endsWith("loss")) reach.metricTop = Math.max(reach.metricTop, value);
    else if (value > 0) {
      reach.lossLow = Math.min(reach.lossLow, value);
      reach.lossHigh = Math.max(reach.lossHigh, value);
    }
  }
}

// One colour scale for the forces and one log axis for the losses, over every side and every
// epoch (the page's and the notebook widget's): the difference between two sides on screen is
// then the runs', not the scales'. ``epochs``: the epoch axis' length.
function sharedScales(reaches, epochs) {
  const forceTop = Math.max(0, ...reaches.map((reach) => reach.forceTop));
  const lossLow = Math.min(...reaches.map((reach) => reach.lossLow));
  const lossHigh = Math.max(0, ...reaches.map((reach) => reach.lossHigh));
  return {
    forceTop: forceTop > 0 ? forceTop : 1,
    loss: lossHigh > 0 ? [lossLow, lossHigh] : [0.01, 1],
    metricTop: Math.max(1, ...reaches.map((reach) => reach.metricTop)),
    epochs: Math.max(1, epochs),
  };
}
