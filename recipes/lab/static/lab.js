"use strict";
// The lab's page (docs/lab.md): controls for the settings a learner changes, each starting
// from the recipe's value; a changed setting is checked, then trained (one run, or two side by
// side), and every epoch's event of the run's stream is drawn: the decision regions with the
// threshold and margins, the test points by the loss's force on them, the losses on a log
// axis, the metrics and the hardest 10%'s share of the force. Every event is kept, so that the
// scrubber replays any epoch. Text from a config or a user (class names, values, messages,
// folders) only ever goes into the page as text (textContent), never as HTML.

const TOKEN = new URLSearchParams(location.search).get("token") || "";
// The project's figures' colours (recipes/report/regions.py REGION_COLOURS: the negative
// class blue, the positive orange; recipes/report/plots.py: training blue, validation orange).
const CLASS_COLOURS = ["#1f77b4", "#ff7f0e"];
const SERIES_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf"];
const SHARE_COLOUR = "#d62728";
// matplotlib's plasma_r at nine even steps: the forces' colour map of forces.png
// (recipes/report/forces.py FORCE_MAP), and its span: the largest force / the smallest coloured.
const FORCE_COLOURS = ["#f0f921", "#fdc328", "#f89441", "#e56b5d", "#cb4679", "#a82296",
  "#7d03a8", "#4b03a1", "#0d0887"];
const FORCE_RANGE = 1e3;
const HARDEST_FRACTION = 0.1;
const DEBOUNCE_MS = 400;
const EVENT_KEYS = new Set(["epoch", "grid_scores", "point_scores", "point_forces",
  "hardest_share"]);

const lab = {
  options: null, // GET /api/options: the recipe, its config and the choices
  sides: [], // A, and B when comparing
  shared: [], // the controls both sides share: recipe, data, seed
  shownEpoch: null, // the scrubber's epoch; null: follow the newest
  changeTimer: null,
  generation: 0, // a newer change makes an older one's answers stale
};

// ------------------------------------------------------------------ talking to the lab

function withToken(path) {
  return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(TOKEN)}`;
}

async function api(path, body) {
  const request = { headers: { Authorization: `token ${TOKEN}` } };
  if (body !== undefined) {
    request.method = "POST";
    request.headers["Content-Type"] = "application/json";
    request.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, request);
  } catch (error) {
    return { ok: false, answer: { error: `the lab does not answer (${error.message})` } };
  }
  let answer;
  try {
    answer = await response.json();
  } catch {
    answer = { error: `${response.status} ${response.statusText}` };
  }
  return { ok: response.ok, answer };
}

// ------------------------------------------------------------------ building the page

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  node.append(...children); // strings become text nodes: never parsed as HTML
  return node;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function at(object, key) {
  return key.split(".").reduce((value, part) => (value == null ? undefined : value[part]),
    object);
}

// A control: one config key (dotted, as --set takes it), the value the recipe gives it
// (``baseline``: what an unchanged control sends nothing for), its input and a message beside it.
function control(key, label, kind, value, baseline, choices = []) {
  const id = `control-${Math.random().toString(36).slice(2)}`;
  let input;
  if (kind === "select") {
    input = element("select", { id });
    for (const choice of choices) {
      const [optionValue, text] = Array.isArray(choice) ? choice : [choice, choice];
      input.append(element("option", { value: optionValue }, text));
    }
    input.value = value ?? "";
  } else if (kind === "checkbox") {
    input = element("input", { id, type: "checkbox" });
    input.checked = Boolean(value);
  } else {
    const type = kind === "number" ? "number" : "text";
    input = element("input", { id, type, step: kind === "number" ? "any" : null });
    input.value = kind === "units" ? (value || []).join(", ") : value ?? "";
  }
  input.dataset.key = key;
  const message = element("span", { class: "message", role: "alert" });
  const row = element("div", { class: `control ${kind}` },
    element("label", { for: id }, label), input, message);
  return { key, kind, input, message, row, baseline, read: () => readControl(kind, input) };
}

// A control's value, or {error} for one that is not even of its kind.
function readControl(kind, input) {
  const text = input.value.trim();
  if (kind === "checkbox") return { value: input.checked };
  if (kind === "select") return { value: text === "" ? null : text };
  if (kind === "number") {
    if (text === "" || !Number.isFinite(Number(text))) return { error: "a number, please" };
    return { value: Number(text) };
  }
  if (kind === "units") {
    const parts = text === "" ? [] : text.split(/[\s,]+/).filter(Boolean);
    if (parts.some((part) => !/^\d+$/.test(part))) {
      return { error: "whole numbers of units per layer, e.g. 8, 8 (none: a linear model)" };
    }
    return { value: parts.map(Number) };
  }
  if (text === "") return { value: null }; // a loss parameter whose default is null (axis)
  if (text === "true" || text === "false") return { value: text === "true" };
  return { value: Number.isFinite(Number(text)) ? Number(text) : text };
}

function parameterKind(value) {
  if (typeof value === "boolean") return "checkbox";
  return typeof value === "number" ? "number" : "value";
}

// Every loss the lab can name: [{name, parameters: {name: default}}], the loss files too.
function lossChoices() {
  const choices = lab.options.choices;
  const files = (choices.loss_files || []).map((entry) =>
    typeof entry === "string" ? { name: entry, parameters: {}, file: true }
      : { ...entry, parameters: entry.parameters || {}, file: true });
  return [...choices.losses, ...files];
}

// The loss: its name, and a control for each of its parameters, rebuilt when the name changes
// (a parameter both losses have keeps the value the learner gave it).
function buildLoss(side, values) {
  const fieldset = side.root.querySelector("fieldset.loss");
  const recipeLoss = lab.options.config.loss || {};
  const losses = lossChoices();
  const names = losses.map((loss) => [loss.name, loss.file ? `${loss.name} (loss file)` : loss.name]);
  if (!losses.some((loss) => loss.name === recipeLoss.name)) names.unshift(recipeLoss.name);
  const name = control("loss.name", "loss", "select", values["loss.name"] ?? recipeLoss.name,
    recipeLoss.name, names);
  const parameterBox = element("div", { class: "parameters" });
  fieldset.append(name.row, parameterBox);
  side.loss = { name, parameters: [] };
  const rebuild = (kept) => {
    const chosen = losses.find((loss) => loss.name === name.input.value) || { parameters: {} };
    const ownLoss = chosen.name === recipeLoss.name;
    const defaults = { ...chosen.parameters };
    if (ownLoss) for (const key of Object.keys(recipeLoss)) if (key !== "name") defaults[key] ??= recipeLoss[key];
    side.loss.parameters = Object.entries(defaults).map(([parameter, fallback]) => {
      const baseline = ownLoss && parameter in recipeLoss ? recipeLoss[parameter] : fallback;
      const value = parameter in kept ? kept[parameter] : baseline;
      return control(`loss.${parameter}`, parameter, parameterKind(fallback ?? value), value,
        baseline);
    });
    parameterBox.replaceChildren(...side.loss.parameters.map((c) => c.row));
    if (!side.loss.parameters.length) {
      parameterBox.append(element("p", { class: "hint" }, "no parameters"));
    }
  };
  name.input.addEventListener("change", () => {
    const kept = {};
    for (const parameter of side.loss.parameters) {
      const read = parameter.read();
      if (!read.error) kept[parameter.key.slice(5)] = read.value;
    }
    rebuild(kept);
  });
  const given = {};
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith("loss.") && key !== "loss.name") given[key.slice(5)] = value;
  }
  rebuild(given);
}

// A side's own controls (loss, model, optimizer, training), from ``values`` (another side's,
// when B starts as a copy of A) or else the recipe's.
function buildSide(side, values = {}) {
  const { config, choices } = lab.options;
  const fields = (fieldset, specs) => {
    const box = side.root.querySelector(`fieldset.${fieldset}`);
    for (const [key, label, kind, options] of specs) {
      const baseline = at(config, key);
      const made = control(key, label, kind, key in values ? values[key] : baseline, baseline,
        options);
      side.controls.push(made);
      box.append(made.row);
    }
  };
  buildLoss(side, values);
  const initializers = [["", "Keras' default"], ...choices.initializers];
  fields("model", [
    ["model.hidden_units", "hidden units", "units"],
    ["model.hidden_activation", "activation", "select", withValue(choices.activations, config.model.hidden_activation)],
    ["model.init", "init", "select", withValue(["keras", "pytorch"], config.model.init)],
    ["model.kernel_initializer", "kernel initializer", "select", withValue(initializers, config.model.kernel_initializer)],
  ]);
  fields("optimizer", [
    ["optimizer.name", "optimizer", "select", withValue(choices.optimizers, config.optimizer.name)],
    ["optimizer.learning_rate", "learning rate", "number"],
  ]);
  fields("training", [
    ["train.epochs", "epochs", "number"],
    ["train.batch_size", "batch size", "number"],
  ]);
}

function withValue(choices, value) {
  const known = choices.some((choice) => (Array.isArray(choice) ? choice[0] : choice) === (value ?? ""));
  return known || value == null ? choices : [value, ...choices];
}

function buildShared() {
  const { config, choices, recipes, recipe } = lab.options;
  const box = document.getElementById("shared-settings");
  const datasets = withValue(choices.datasets, config.data.name);
  lab.shared = [
    control("recipe", "recipe", "select", recipe, recipe, withValue(recipes, recipe)),
    control("data.name", "data", "select", config.data.name, config.data.name, datasets),
    control("seed", "seed", "number", config.seed, config.seed),
  ];
  box.replaceChildren(...lab.shared.map((c) => c.row));
  box.append(element("span", { class: "hint" },
    "shared by both sides: the same data, seed and starting weights"));
  lab.shared[0].input.addEventListener("change", () => switchRecipe(lab.shared[0].input.value));
}

function newSide(name, values) {
  const root = document.getElementById("side-template").content.firstElementChild.cloneNode(true);
  const side = { name, root, controls: [], loss: null, run: null, source: null };
  root.dataset.side = name;
  root.querySelector(".side-title").textContent = name;
  buildSide(side, values);
  root.querySelector("form").addEventListener("submit", (event) => event.preventDefault());
  document.getElementById("sides").append(root);
  return side;
}

function sideControls(side) {
  return [side.loss.name, ...side.loss.parameters, ...side.controls];
}

// The values a side's controls hold now, by key (B's starting copy of A).
function sideValues(side) {
  const values = {};
  for (const c of sideControls(side)) {
    const read = c.read();
    if (!read.error) values[c.key] = read.value;
  }
  return values;
}

async function switchRecipe(recipe) {
  const { ok, answer } = await api(`/api/options?recipe=${encodeURIComponent(recipe)}`);
  if (!ok) {
    showMessage(lab.shared[0], answer.error);
    return;
  }
  setUp(answer);
  settingsChanged();
}

function setUp(options) {
  lab.options = options;
  for (const side of lab.sides) side.source?.close();
  document.getElementById("sides").replaceChildren();
  buildShared();
  lab.sides = [newSide("A")];
  if (document.getElementById("compare").checked) lab.sides.push(newSide("B", sideValues(lab.sides[0])));
  arrangeSides();
  lab.shownEpoch = null;
  updateScrubber();
}

function arrangeSides() {
  const comparing = lab.sides.length > 1;
  document.getElementById("sides").classList.toggle("compare", comparing);
  for (const side of lab.sides) {
    side.root.querySelector(".side-title").textContent = comparing ? `side ${side.name}` : "";
    side.root.querySelector(".side-title").hidden = !comparing;
  }
  redraw();
}

// ------------------------------------------------------------------ a changed setting

// The overrides of the recipe that a side's controls say (only what differs from it), or the
// controls' problems.
function sideOverrides(side) {
  const overrides = {};
  const problems = [];
  for (const c of [...lab.shared.slice(1), ...sideControls(side)]) {
    const read = c.read();
    if (read.error) problems.push([c, read.error]);
    else if (!same(read.value, c.baseline)) overrides[c.key] = read.value;
  }
  return { overrides, problems };
}

function showMessage(c, text) {
  c.message.textContent = text;
  c.input.setAttribute("aria-invalid", "true");
}

function clearMessages() {
  document.querySelectorAll(".message").forEach((node) => { node.textContent = ""; });
  document.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
}

// A check's one line beside the control of its key (or of the closest key), else above the side.
function showError(side, answer) {
  const controls = [...lab.shared, ...(side ? sideControls(side) : [])];
  const key = answer.key || "";
  const target = controls.find((c) => c.key === key)
    || controls.find((c) => key.startsWith(`${c.key}.`) || c.key.startsWith(`${key}.`));
  if (target) showMessage(target, answer.error);
  else if (side) side.root.querySelector(".side-message").textContent = answer.error;
  else document.getElementById("page-message").textContent = answer.error;
}

function scheduleChange() {
  clearTimeout(lab.changeTimer);
  lab.changeTimer = setTimeout(settingsChanged, DEBOUNCE_MS);
}

async function settingsChanged() {
  const generation = ++lab.generation;
  clearMessages();
  const bodies = [];
  let bad = false;
  for (const side of lab.sides) {
    const { overrides, problems } = sideOverrides(side);
    problems.forEach(([c, text]) => showMessage(c, text));
    bad ||= problems.length > 0;
    bodies.push({ recipe: lab.options.recipe, overrides });
  }
  if (bad) return;
  const checks = await Promise.all(bodies.map((body) => api("/api/check", body)));
  if (generation !== lab.generation) return;
  checks.forEach(({ ok, answer }, index) => {
    if (ok) setText(lab.sides[index], ".command", answer.command);
    else showError(lab.sides[index], answer);
  });
  if (checks.every((c) => c.ok)) await startRuns(bodies, generation);
}

async function startRuns(bodies, generation) {
  const { ok, answer } = await api("/api/runs", bodies.length > 1 ? bodies : bodies[0]);
  if (generation !== lab.generation) return;
  if (!ok) {
    showError(lab.sides[0], answer);
    return;
  }
  const runs = Array.isArray(answer) ? answer : [answer];
  lab.shownEpoch = null;
  runs.forEach((run, index) => follow(lab.sides[index], run));
  updateScrubber();
}

// Listen to a run's events: every one kept (by epoch: a reconnected stream sends them again).
function follow(side, run) {
  side.source?.close();
  side.run = { id: run.id, folder: run.folder, start: null, epochs: [], end: null };
  const state = side.run;
  setText(side, ".folder", run.folder);
  const link = side.root.querySelector(".config-link");
  link.href = withToken(`/api/runs/${encodeURIComponent(run.id)}/config.yaml`);
  link.hidden = false;
  const source = new EventSource(withToken(`/api/runs/${encodeURIComponent(run.id)}/events`));
  side.source = source;
  const listen = (name, handle) => source.addEventListener(name, (event) => {
    if (side.run === state) handle(JSON.parse(event.data));
  });
  listen("start", (data) => {
    state.start = data;
    if (data.command) setText(side, ".command", data.command);
    if (data.folder) setText(side, ".folder", data.folder);
    redraw();
  });
  listen("epoch", (data) => {
    state.epochs[data.epoch - 1] = data;
    updateScrubber();
    redraw();
  });
  listen("end", (data) => {
    state.end = data;
    source.close();
    if (data.folder) setText(side, ".folder", data.folder);
    updateScrubber();
    redraw();
  });
  source.onerror = () => {
    if (side.run === state && !state.end && source.readyState === EventSource.CLOSED) {
      state.end = { status: "failed", reason: "the lab's event stream closed" };
      redraw();
    }
  };
}

function setText(side, selector, text) {
  side.root.querySelector(selector).textContent = text ?? "";
}

async function stopRuns() {
  for (const side of lab.sides) {
    if (side.run && !side.run.end) {
      const { ok, answer } = await api(`/api/runs/${encodeURIComponent(side.run.id)}/stop`, {});
      if (!ok) showError(side, answer);
    }
  }
}

// ------------------------------------------------------------------ the scrubber

function lastEpoch(side) {
  return side.run ? side.run.epochs.filter(Boolean).length : 0;
}

function updateScrubber() {
  const scrubber = document.getElementById("scrubber");
  const newest = Math.max(0, ...lab.sides.map(lastEpoch));
  scrubber.disabled = newest < 1;
  scrubber.max = Math.max(1, newest);
  scrubber.value = lab.shownEpoch ?? newest;
  document.getElementById("scrubber-epoch").textContent = newest ? `${scrubber.value} of ${newest}` : "";
  const training = lab.sides.some((side) => side.run && !side.run.end);
  document.getElementById("scrub-hint").textContent = !newest ? (training ? "starting..." :
    "change a setting (or press train) to start a run") : training
    ? "drag to look back; the newest epoch comes when you let go at the end" : "drag to replay any epoch";
}

// ------------------------------------------------------------------ drawing

function redraw() {
  if (!lab.sides.length) return;
  const scales = sharedScales();
  for (const side of lab.sides) drawSide(side, scales);
}

// One colour scale for the forces and one log axis for the losses, over every side and every
// epoch: the difference between two sides on screen is then the runs', not the scales'.
function sharedScales() {
  let forceTop = 0;
  const losses = [];
  const metrics = [];
  for (const side of lab.sides) {
    for (const event of side.run?.epochs || []) {
      if (!event) continue;
      for (const force of event.point_forces || []) if (force > forceTop) forceTop = force;
      for (const [key, value] of Object.entries(event)) {
        if (EVENT_KEYS.has(key) || typeof value !== "number") continue;
        (key.endsWith("loss") ? losses : metrics).push(value);
      }
    }
  }
  const positive = losses.filter((value) => value > 0);
  return {
    forceTop: forceTop > 0 ? forceTop : 1,
    loss: positive.length ? [Math.min(...positive), Math.max(...positive)] : [0.01, 1],
    metricTop: Math.max(1, ...metrics),
    epochs: Math.max(1, ...lab.sides.map((side) => side.run?.start?.epochs || lastEpoch(side))),
  };
}

function shownEvent(side) {
  const count = lastEpoch(side);
  if (!count) return null;
  const epoch = Math.min(lab.shownEpoch ?? count, count);
  return side.run.epochs[epoch - 1];
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
  view.dataset.folder = run?.end?.folder ?? run?.folder ?? "";
  view.dataset.runId = run?.id ?? "";
  drawRegions(side.root.querySelector("canvas.regions"), run?.start, event, scales.forceTop);
  setKey(side, run?.start);
  setNumbers(side, event);
  const history = run ? run.epochs.filter(Boolean) : [];
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
  if (!event) return { state: "starting", text: "starting..." };
  return { state: "training", text: `training: epoch ${lastEpoch({ run })} of ${total ?? "?"}` };
}

function formatNumber(value) {
  if (value == null || !Number.isFinite(value)) return "–";
  if (value === 0) return "0";
  const size = Math.abs(value);
  return size >= 1e4 || size < 1e-3 ? value.toExponential(2) : Number(value.toPrecision(4)).toString();
}

function metricKeys(event) {
  return Object.keys(event || {}).filter((key) =>
    !EVENT_KEYS.has(key) && !key.endsWith("loss") && !key.startsWith("val_")
    && typeof event[key] === "number");
}

function setNumbers(side, event) {
  const list = side.root.querySelector(".numbers");
  const rows = [];
  if (event) {
    rows.push(["epoch", String(event.epoch), "epoch"], ["loss", formatNumber(event.loss), "loss"]);
    if ("val_loss" in event) rows.push(["validation loss", formatNumber(event.val_loss), "val_loss"]);
    for (const key of metricKeys(event)) {
      const validation = event[`val_${key}`];
      const text = formatNumber(event[key]) + (validation != null ? ` (validation ${formatNumber(validation)})` : "");
      rows.push([key.replaceAll("_", " "), text, key]);
    }
    const share = event.hardest_share;
    rows.push(["hardest 10% carry", share == null ? "no point pushed" : `${Math.round(share * 100)}% of the force`, "hardest_share"]);
  }
  list.replaceChildren(...rows.flatMap(([name, text, key]) => [
    element("dt", {}, name), element("dd", { "data-key": key }, text)]));
}

function setKey(side, start) {
  const key = side.root.querySelector(".key");
  if (!start) {
    key.replaceChildren();
    return;
  }
  const classes = classesOf(start);
  const names = start.class_names || {};
  const swatches = classes.map((label, index) => element("span", { class: "swatch-row" },
    element("span", { class: "swatch", style: `background:${CLASS_COLOURS[index]}` }),
    names[String(label)] ?? `class ${label}`));
  const levels = start.margin_levels || [];
  const lines = levels.length === 3
    ? (start.label_kind === "plus_minus_one"
      ? `line: the threshold (score ${levels[1]}); dashed: the margins (score ${levels[0]} / +${levels[2]})`
      : `line: p = ${levels[1]}; dashed: the margins (p = ${levels[0]} / ${levels[2]})`)
    : "";
  key.replaceChildren(...swatches, element("span", {},
    `${lines}. Test points: squares ${names[String(classes[0])] ?? `class ${classes[0]}`}, ` +
    `triangles ${names[String(classes[1])] ?? `class ${classes[1]}`}; their size and colour: ` +
    "the loss's force on each, |d loss / d score| (log scale, shared by both sides)"));
}

function classesOf(start) {
  return start.label_kind === "plus_minus_one" ? [-1, 1] : [0, 1];
}

// A canvas drawn at the screen's resolution: returns its 2-D context in CSS pixels.
function context2d(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  return { context, width, height };
}

function hexColour(hex) {
  return [1, 3, 5].map((offset) => parseInt(hex.slice(offset, offset + 2), 16));
}

function mixColour(from, to, amount) {
  return from.map((value, index) => Math.round(value + (to[index] - value) * amount));
}

// Where a score lies on the drawn scale, -1 (the negative class's end) to +1 (the positive's),
// 0 at the threshold: a probability's ends are 0 and 1; a tanh score's -1 and +1; any other
// score's twice the margin.
function scoreScale(start) {
  const levels = start.margin_levels || [];
  const threshold = levels.length === 3 ? levels[1] : 0.5;
  let low = 0;
  let high = 1;
  if (start.label_kind === "plus_minus_one") {
    const end = start.output_kind === "tanh" ? 1 : 2 * Math.max(1, Math.abs(levels[2] ?? 1));
    [low, high] = [-end, end];
  }
  return (value) => {
    const position = value >= threshold ? (value - threshold) / (high - threshold)
      : (value - threshold) / (threshold - low);
    return Math.max(-1, Math.min(1, position));
  };
}

function drawRegions(canvas, start, event, forceTop) {
  const { context, width, height } = context2d(canvas);
  if (!start || !start.grid_x?.length) {
    context.fillStyle = "#777";
    context.font = "14px sans-serif";
    context.fillText(start ? "no picture: the data have more than two features" : "", 10, 24);
    return;
  }
  const xs = start.grid_x;
  const ys = start.grid_y;
  const barSpace = 84; // the force's colour bar, right of the regions
  const side = Math.min(width - barSpace - 8, height - 8);
  const spanX = xs[xs.length - 1] - xs[0];
  const spanY = ys[ys.length - 1] - ys[0];
  const plot = { left: 4, top: 4, width: side * Math.min(1, spanX / spanY), height: side * Math.min(1, spanY / spanX) };
  const toX = (x) => plot.left + ((x - xs[0]) / spanX) * plot.width;
  const toY = (y) => plot.top + plot.height - ((y - ys[0]) / spanY) * plot.height;
  context.fillStyle = "#fff";
  context.fillRect(plot.left, plot.top, plot.width, plot.height);
  if (event?.grid_scores) {
    drawScores(context, plot, xs, ys, event.grid_scores, scoreScale(start));
    const levels = start.margin_levels || [];
    levels.forEach((level, index) => {
      context.setLineDash(index === 1 ? [] : [5, 4]);
      context.lineWidth = index === 1 ? 1.6 : 1;
      context.strokeStyle = "#000";
      context.beginPath();
      for (const [[x1, y1], [x2, y2]] of contourSegments(event.grid_scores, xs, ys, level)) {
        context.moveTo(toX(x1), toY(y1));
        context.lineTo(toX(x2), toY(y2));
      }
      context.stroke();
    });
    context.setLineDash([]);
  }
  drawPoints(context, start, event, forceTop, toX, toY);
  context.strokeStyle = "#999";
  context.lineWidth = 1;
  context.strokeRect(plot.left, plot.top, plot.width, plot.height);
  drawForceBar(context, plot.left + plot.width + 14, plot.top, plot.height, forceTop);
}

// The grid's scores as an image, one pixel a grid point, stretched (smoothed) over the plot:
// white at the threshold, deepening to a class's colour towards its end of the scale.
function drawScores(context, plot, xs, ys, scores, position) {
  const image = new ImageData(xs.length, ys.length);
  const white = [255, 255, 255];
  const ends = CLASS_COLOURS.map(hexColour);
  for (let row = 0; row < ys.length; row += 1) {
    for (let column = 0; column < xs.length; column += 1) {
      const value = scores[row][column];
      const offset = ((ys.length - 1 - row) * xs.length + column) * 4; // images run downwards
      const colour = value == null ? [200, 200, 200] : (() => {
        const where = position(value);
        return mixColour(white, ends[where >= 0 ? 1 : 0], 0.15 + 0.5 * Math.abs(where));
      })();
      image.data.set([...colour, 255], offset);
    }
  }
  const grid = document.createElement("canvas");
  grid.width = xs.length;
  grid.height = ys.length;
  grid.getContext("2d").putImageData(image, 0, 0);
  context.save();
  context.beginPath();
  context.rect(plot.left, plot.top, plot.width, plot.height);
  context.clip();
  context.imageSmoothingEnabled = true;
  // A pixel's centre is its grid point: the image reaches half a step beyond the grid's ends.
  const stepX = plot.width / (xs.length - 1);
  const stepY = plot.height / (ys.length - 1);
  context.drawImage(grid, plot.left - stepX / 2, plot.top - stepY / 2, plot.width + stepX,
    plot.height + stepY);
  context.restore();
}

// Marching squares: the segments where the grid's values cross ``level``, each cell's edges
// interpolated linearly; a saddle cell is resolved by its centre's value.
function contourSegments(values, xs, ys, level) {
  const segments = [];
  for (let row = 0; row < ys.length - 1; row += 1) {
    for (let column = 0; column < xs.length - 1; column += 1) {
      // corners anticlockwise from the bottom left; edge k runs from corner k to corner k + 1
      const corners = [[column, row], [column + 1, row], [column + 1, row + 1], [column, row + 1]];
      const value = corners.map(([i, j]) => values[j][i]);
      if (value.some((v) => v == null)) continue;
      const crossings = [];
      for (let edge = 0; edge < 4; edge += 1) {
        const [i1, j1] = corners[edge];
        const [i2, j2] = corners[(edge + 1) % 4];
        const v1 = value[edge];
        const v2 = value[(edge + 1) % 4];
        if ((v1 >= level) !== (v2 >= level)) {
          const t = (level - v1) / (v2 - v1);
          crossings.push([xs[i1] + t * (xs[i2] - xs[i1]), ys[j1] + t * (ys[j2] - ys[j1])]);
        }
      }
      if (crossings.length === 2) segments.push(crossings);
      if (crossings.length === 4) {
        const centre = value.reduce((sum, v) => sum + v, 0) / 4;
        if ((centre >= level) === (value[0] >= level)) {
          segments.push([crossings[0], crossings[1]], [crossings[2], crossings[3]]);
        } else {
          segments.push([crossings[3], crossings[0]], [crossings[1], crossings[2]]);
        }
      }
    }
  }
  return segments;
}

// Where a force lies on the shared log scale, 0 (FORCE_RANGE below the largest, or less) to 1.
function forcePosition(force, forceTop) {
  if (!(force > 0)) return 0;
  const position = Math.log10(force / (forceTop / FORCE_RANGE)) / Math.log10(FORCE_RANGE);
  return Math.max(0, Math.min(1, position));
}

function forceColour(position) {
  const scaled = position * (FORCE_COLOURS.length - 1);
  const index = Math.min(FORCE_COLOURS.length - 2, Math.floor(scaled));
  const colour = mixColour(hexColour(FORCE_COLOURS[index]), hexColour(FORCE_COLOURS[index + 1]),
    scaled - index);
  return `rgb(${colour.join(",")})`;
}

// The test points by class (squares the negative, triangles the positive, as forces.png),
// coloured and sized by the force on each; the hardest drawn last, on top.
function drawPoints(context, start, event, forceTop, toX, toY) {
  const classes = classesOf(start);
  const forces = event?.point_forces || [];
  const order = start.points.map((_, index) => index);
  order.sort((a, b) => (forces[a] ?? 0) - (forces[b] ?? 0));
  context.lineWidth = 0.5;
  context.strokeStyle = "#000";
  for (const index of order) {
    const [x, y] = start.points[index];
    const position = forcePosition(forces[index], forceTop);
    const size = event ? 2 + 5 * Math.sqrt(position) : 2.5;
    context.fillStyle = event ? forceColour(position) : CLASS_COLOURS[classes.indexOf(start.labels[index])] || "#777";
    context.beginPath();
    if (start.labels[index] === classes[1]) {
      context.moveTo(toX(x), toY(y) - size * 1.2);
      context.lineTo(toX(x) + size, toY(y) + size * 0.8);
      context.lineTo(toX(x) - size, toY(y) + size * 0.8);
      context.closePath();
    } else {
      context.rect(toX(x) - size * 0.85, toY(y) - size * 0.85, size * 1.7, size * 1.7);
    }
    context.fill();
    context.stroke();
  }
}

function drawForceBar(context, left, top, height, forceTop) {
  for (let pixel = 0; pixel < height; pixel += 1) {
    context.fillStyle = forceColour(1 - pixel / height);
    context.fillRect(left, top + pixel, 12, 1);
  }
  context.strokeStyle = "#999";
  context.strokeRect(left, top, 12, height);
  context.fillStyle = "#222";
  context.font = "11px sans-serif";
  context.textAlign = "left";
  context.textBaseline = "middle";
  for (let decade = 0; decade <= 3; decade += 1) {
    const y = top + (decade / 3) * height;
    context.fillText(Number((forceTop / 10 ** decade).toPrecision(2)).toString(), left + 16, y);
  }
  context.save();
  context.translate(left + 72, top + height / 2);
  context.rotate(-Math.PI / 2);
  context.textAlign = "center";
  context.fillText("force |d loss / d score|", 0, 0);
  context.restore();
}

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
    context.fillText(String(epoch), toX(epoch), box.bottom + 4);
  }
  context.textAlign = "left";
  context.fillText("epoch", toX(1) + 10, box.bottom + 4);
}

function decades(low, high) {
  const ticks = [];
  for (let value = low; value <= high * 1.0001; value *= 10) ticks.push(value);
  return ticks;
}

function drawLossChart(canvas, history, event, scales) {
  const series = ["loss", "val_loss"].filter((key) => history.some((e) => e[key] != null))
    .map((key, index) => ({
      label: key === "loss" ? "training" : "validation",
      colour: SERIES_COLOURS[index],
      points: history.map((e) => [e.epoch, e[key]]),
    }));
  drawChart(canvas, { title: "loss (log scale)", series, epochs: scales.epochs, range: scales.loss, log: true, marker: event?.epoch });
}

function drawMetricChart(canvas, history, event, scales) {
  const keys = metricKeys(history[history.length - 1]);
  const series = keys.flatMap((key) => [key, `val_${key}`]).filter((key) => history.some((e) => e[key] != null))
    .map((key, index) => ({ label: key.replaceAll("_", " ").replace(/^val /, "validation "), colour: SERIES_COLOURS[index % SERIES_COLOURS.length], points: history.map((e) => [e.epoch, e[key]]) }));
  series.push({ label: "hardest 10%'s share of the force", colour: SHARE_COLOUR, points: history.map((e) => [e.epoch, e.hardest_share]) });
  drawChart(canvas, { title: "metrics; the hardest 10%'s share", series, epochs: scales.epochs, range: [0, scales.metricTop], log: false, marker: event?.epoch });
}

// ------------------------------------------------------------------ start

async function main() {
  const { ok, answer } = await api("/api/options");
  if (!ok) {
    document.getElementById("page-message").textContent = answer.error;
    return;
  }
  setUp(answer);
  document.getElementById("controls").addEventListener("input", (event) => {
    if (event.target.id !== "compare" && event.target.dataset.key !== "recipe") scheduleChange();
  });
  document.getElementById("sides").addEventListener("input", scheduleChange);
  document.getElementById("sides").addEventListener("change", scheduleChange);
  document.getElementById("compare").addEventListener("change", (event) => {
    for (const side of lab.sides.slice(1)) {
      side.source?.close();
      side.root.remove();
    }
    lab.sides = lab.sides.slice(0, 1);
    if (event.target.checked) lab.sides.push(newSide("B", sideValues(lab.sides[0])));
    arrangeSides();
    updateScrubber();
  });
  document.getElementById("train").addEventListener("click", settingsChanged);
  document.getElementById("stop").addEventListener("click", stopRuns);
  document.getElementById("scrubber").addEventListener("input", (event) => {
    const newest = Math.max(0, ...lab.sides.map(lastEpoch));
    const chosen = Number(event.target.value);
    lab.shownEpoch = chosen >= newest ? null : chosen;
    updateScrubber();
    redraw();
  });
  window.addEventListener("resize", redraw);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
else main();
