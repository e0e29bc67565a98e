// The lab's view as a notebook widget (recipes/live/widget.py joins the page's drawing.js,
// charts.js and view.js before this file into the one ES module anywidget loads): each side
// drawn by view.js's drawSide, as on the page, from the epochs the kernel sends while the cell
// trains (custom messages, their arrays float32 buffers) or, in a notebook opened later, from
// the widget's stored state (each epoch's numbers and the last epoch's arrays). A scrubber
// replays any epoch after the run. Text from a run or a user goes in as text only.

// What view.js and charts.js ask of the page around them (lab.js, controls.js and replay.js
// there).
const FINAL = new Set(["completed", "failed", "interrupted"]);

function lastEpoch(side) {
  return side.run ? side.run.count : 0; // the epochs come in order
}

// What a side's charts draw (on the page, replay.js's chartHistory): the epochs so far.
function chartHistory(run) {
  return run ? run.epochs.slice(0, run.count) : [];
}

function shownEvent(side) {
  const count = lastEpoch(side);
  if (!count) return null;
  return side.run.epochs[Math.min(side.view.shownEpoch ?? count, count) - 1];
}

// ------------------------------------------------------------------ the epochs received

// Per widget (its widget_id): the epochs the kernel sent, and the views to redraw when one
// comes. Kept from ``initialize``, as messages may come before any view is drawn.
const RECEIVED = new Map();

function receivedOf(model) {
  const id = model.get("widget_id");
  if (!RECEIVED.has(id)) RECEIVED.set(id, { epochs: [], reaches: [], views: new Set() });
  return RECEIVED.get(id);
}

// A float32 buffer as numbers (NaN: a value that was not finite, null as the page has it),
// nested by ``shape`` (the grid: one row per grid_y value). The buffer comes as a DataView
// (or an ArrayBuffer) into a message's bytes, at any offset: copied, so that it is aligned.
function unpackArray(buffer, shape) {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer)
    : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const values = Array.from(new Float32Array(bytes.slice().buffer),
    (value) => (Number.isNaN(value) ? null : value));
  if (shape.length < 2) return values;
  const rows = [];
  for (let row = 0; row < shape[0]; row += 1) {
    rows.push(values.slice(row * shape[1], (row + 1) * shape[1]));
  }
  return rows;
}

function unpackEpoch(numbers, shapes, buffers) {
  const event = { ...numbers };
  Object.keys(shapes).forEach((key, index) => {
    event[key] = unpackArray(buffers[index], shapes[key]);
  });
  return event;
}

function initialize({ model }) {
  const received = receivedOf(model);
  const onMessage = (content, buffers) => {
    if (content?.kind !== "epoch") return;
    const epochs = received.epochs[content.side] || (received.epochs[content.side] = []);
    const event = unpackEpoch(content.event, content.arrays, buffers);
    epochs[event.epoch - 1] = event;
    // the side's reach, widened as each epoch comes (as the page's), not over all at each redraw
    widen(received.reaches[content.side] || (received.reaches[content.side] = newReach()), event);
    received.views.forEach((redraw) => redraw());
  };
  model.on("msg:custom", onMessage);
  return () => model.off("msg:custom", onMessage);
}

// ------------------------------------------------------------------ a side's run

// A side's run as the page keeps one (lab.js): its start, its epochs in order, its end.
function runOf(model, index) {
  const side = model.get("sides")[index] || {};
  const start = model.get("starts")[index] || {};
  const received = receivedOf(model);
  let epochs = (received.epochs[index] || []).slice();
  let count = epochs.findIndex((event) => !event);
  count = count < 0 ? epochs.length : count;
  let reach = received.reaches[index];
  if (!count) { // a notebook opened later: the stored numbers and the last epoch's arrays
    epochs = (model.get("histories")[index] || []).map((event) => ({ ...event }));
    const last = model.get("last_epochs")[index] || {};
    if (last.epoch && epochs[last.epoch - 1]) {
      const shapes = last.shapes || {};
      Object.assign(epochs[last.epoch - 1],
        unpackEpoch({}, shapes, Object.keys(shapes).map((key) => last[key])));
    }
    count = epochs.length;
    reach = newReach();
    for (const event of epochs) widen(reach, event);
  }
  return {
    id: side.id,
    folder: side.folder,
    command: side.command,
    start: "epochs" in start ? start : null,
    epochs,
    count,
    reach,
    end: FINAL.has(side.status) ? {
      status: side.status, reason: side.reason, folder: side.folder, metrics: side.metrics,
    } : null,
  };
}

// The scales both sides share (charts.js sharedScales), over every epoch received.
function scalesOf(runs) {
  return sharedScales(runs.map((run) => run.reach), Math.max(...runs.map((run) => (run.end ? run.count
    : run.start?.epochs || run.count))));
}

// ------------------------------------------------------------------ the view

function sideElement(name, comparing) {
  return element("section", { class: "side" },
    element("h4", { class: "side-title" }, comparing ? name : ""),
    element("div", { class: "view" },
      element("p", { class: "status" }, "starting..."),
      element("div", { class: "regions-box" },
        element("canvas", { class: "regions", role: "img",
          "aria-label": "decision regions and test points, by the loss's force" }),
        element("p", { class: "key" })),
      element("div", { class: "charts" },
        element("dl", { class: "numbers" }),
        element("canvas", { class: "loss-chart", role: "img",
          "aria-label": "training and validation loss" }),
        element("canvas", { class: "metric-chart", role: "img",
          "aria-label": "metrics and the hardest 10%'s share of the force" })),
      element("div", { class: "run-details" },
        element("code", { class: "command" }),
        element("p", {}, "run folder: ", element("code", { class: "folder" })))));
}

function render({ model, el }) {
  const view = { shownEpoch: null, frame: null, asked: false };
  const names = model.get("sides").map((side) => side.name);
  const scrubber = element("input", { type: "range", class: "scrubber", min: "1", max: "1",
    step: "1", value: "1" });
  const shownText = element("output", { class: "scrubber-epoch" });
  const hint = element("span", { class: "hint" });
  const sides = names.map((name, index) => ({
    root: sideElement(name, names.length > 1), view, index,
  }));
  const root = element("div", { class: "recipes-lab-widget" },
    element("p", { class: "title" }, `the lab: ${model.get("title")}`),
    element("div", { class: "scrub" }, element("label", {}, "epoch"), scrubber, shownText, hint),
    element("div", { class: names.length > 1 ? "sides compare" : "sides" },
      ...sides.map((side) => side.root)));
  el.replaceChildren(root);

  const redraw = () => {
    view.frame = null;
    sides.forEach((side) => { side.run = runOf(model, side.index); });
    const scales = scalesOf(sides.map((side) => side.run));
    for (const side of sides) {
      drawSide(side, scales);
      setText(side, ".command", side.run.command);
      setText(side, ".folder", side.run.folder);
    }
    updateScrubber(view, sides, scrubber, shownText, hint);
    askAgain(model, view, sides);
  };
  const requestRedraw = () => {
    if (!view.frame) view.frame = requestAnimationFrame(redraw);
  };
  scrubber.addEventListener("input", () => {
    const newest = Math.max(0, ...sides.map(lastEpoch));
    view.shownEpoch = Number(scrubber.value) >= newest ? null : Number(scrubber.value);
    redraw();
  });
  const received = receivedOf(model);
  received.views.add(requestRedraw);
  const changes = ["sides", "starts", "histories", "last_epochs"].map((name) => `change:${name}`);
  changes.forEach((name) => model.on(name, requestRedraw));
  const resized = new ResizeObserver(requestRedraw); // drawn at the width the output area gives
  resized.observe(root);
  redraw();
  return () => {
    received.views.delete(requestRedraw);
    changes.forEach((name) => model.off(name, requestRedraw));
    resized.disconnect();
  };
}

function updateScrubber(view, sides, scrubber, shownText, hint) {
  const newest = Math.max(0, ...sides.map(lastEpoch));
  scrubber.disabled = newest < 1;
  scrubber.max = String(Math.max(1, newest));
  scrubber.value = String(view.shownEpoch ?? newest);
  shownText.textContent = newest ? `${scrubber.value} of ${newest}` : "";
  const training = sides.some((side) => !side.run.end);
  hint.textContent = training ? "training: drag back to look at an earlier epoch"
    : "drag to replay any epoch";
}

// A view drawn after the epochs were sent (the page reloaded while the kernel lives) asks the
// kernel for them once; a stored notebook without a kernel shows its last epoch.
function askAgain(model, view, sides) {
  const received = receivedOf(model).epochs;
  const behind = sides.some((side) => (received[side.index] || []).length
    < (model.get("sides")[side.index]?.epochs_done ?? 0));
  if (behind && !view.asked) {
    view.asked = true;
    model.send({ kind: "replay" });
  }
}

export default { initialize, render };
