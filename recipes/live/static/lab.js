"use strict";
// The lab's page (docs/lab.md): controls for the settings a learner changes, each starting
// from the recipe's value; a changed setting is checked, then trained (one run, or two side by
// side), and every epoch's event of the run's stream is drawn: the decision regions with the
// threshold and margins, the test points by the loss's force on them, the losses on a log
// axis, the metrics and the hardest 10%'s share of the force. Every event is kept, so that the
// scrubber replays any epoch. Text from a config or a user (class names, values, messages,
// folders) only ever goes into the page as text (textContent), never as HTML. The controls
// are made by controls.js, a side's view filled by view.js, its regions drawn by drawing.js
// and its charts by charts.js (index.html loads them first).

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const DEBOUNCE_MS = 400;
const lab = {
  options: null, // GET /api/options: the recipe, its config and the choices
  sides: [], // A, and B when comparing
  shared: [], // the controls both sides share: recipe, data, seed
  shownEpoch: null, // the scrubber's epoch; null: follow the newest
  changeTimer: null,
  generation: 0, // a newer change makes an older one's answers stale
  frame: null, // the redraw asked for the next frame
  offline: false, // a saved replay file (export.py): no lab to ask
  opened: [], // the replays to choose from (a sweep's runs)
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

// ------------------------------------------------------------------ the sides

// A side (A, or B when comparing): its settings and its view, from the page's template.
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
  if (document.getElementById("compare").checked) {
    lab.sides.push(newSide("B", sideValues(lab.sides[0])));
  }
  arrangeSides();
  lab.shownEpoch = null;
  updateScrubber();
  previewCommands();
}

// Before a run: each side's command line for its settings as they are (nothing trains).
async function previewCommands() {
  for (const side of lab.sides) {
    const { overrides, problems } = sideOverrides(side);
    if (problems.length || side.run) continue;
    const { ok, answer } = await api("/api/check", { recipe: lab.options.recipe, overrides });
    if (ok && !side.run) setText(side, ".command", answer.command);
  }
}

function arrangeSides() {
  const comparing = lab.sides.length > 1;
  document.getElementById("sides").classList.toggle("compare", comparing);
  lab.sides.forEach(titleSide);
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
  document.querySelectorAll("[aria-invalid]")
    .forEach((node) => node.removeAttribute("aria-invalid"));
}

// A check's one line beside the control of its key, else of the closest key (data.path's: the
// data's), else above the side.
function showError(side, answer) {
  const controls = [...lab.shared, ...(side ? sideControls(side) : [])];
  const key = answer.key || "";
  const block = `${key.split(".")[0]}.`;
  const target = controls.find((c) => c.key === key)
    || controls.find((c) => key.startsWith(`${c.key}.`) || c.key.startsWith(`${key}.`))
    || (key.includes(".") ? controls.find((c) => c.key.startsWith(block)) : undefined);
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

// A side's new run: its state, which the run's events (accept) fill.
function newRunState(side, run) {
  side.source?.close();
  side.run = {
    id: run.id, folder: run.folder, start: null, events: [], end: null,
    reach: newReach(),
  };
  setText(side, ".folder", run.folder);
  const link = side.root.querySelector(".config-link");
  link.hidden = lab.offline;
  if (!lab.offline) link.href = withToken(`/api/runs/${encodeURIComponent(run.id)}/config.yaml`);
  side.root.querySelector(".replay-link").hidden = true;
  return side.run;
}

// Listen to a run's events: every one kept (by epoch: a reconnected stream sends them again).
function follow(side, run) {
  const state = newRunState(side, run);
  const source = new EventSource(withToken(`/api/runs/${encodeURIComponent(run.id)}/events`));
  side.source = source;
  for (const name of ["start", "epoch", "end"]) {
    source.addEventListener(name, (event) => accept(side, state, name, JSON.parse(event.data)));
  }
  // The browser tries again while the lab does not answer; it gives up on a refusal.
  source.onerror = () => {
    if (side.run !== state || state.end) return;
    if (source.readyState === EventSource.CLOSED) {
      state.end = { status: "failed", reason: "the lab refused the run's event stream" };
    }
    state.lost = true;
    redraw();
  };
}

// One event of a side's run (live, or a replay's: the same events).
function accept(side, state, name, data) {
  if (side.run !== state) return;
  state.lost = false;
  if (name === "start") {
    state.start = data;
    if (data.command) setText(side, ".command", data.command);
    if (data.folder) setText(side, ".folder", data.folder);
    for (const row of data.history || []) widen(state.reach, row); // a replay's loss curves
    titleSide(side);
    if (data.config && !lab.offline) settingsOfRun(side, data.config); // a replay's
    redraw();
  } else if (name === "epoch") {
    const index = state.events.findIndex((known) => known.epoch === data.epoch);
    if (index < 0) state.events.push(data);
    else state.events[index] = data;
    widen(state.reach, data);
    updateScrubber();
    requestRedraw();
  } else if (name === "end") {
    state.end = data;
    side.source?.close();
    if (data.folder) setText(side, ".folder", data.folder);
    const link = side.root.querySelector(".replay-link");
    link.hidden = lab.offline || !(data.status === "completed" || data.replay); // recorded
    link.href = withToken(`/api/runs/${encodeURIComponent(state.id)}/replay.html`);
    updateScrubber();
    redraw();
  }
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

// The newest epoch a side's run has an event of (they come in order; a replay's are the
// recording's epochs: every one of a short run, ten log-spaced ones of a long one).
function lastEpoch(side) {
  const events = side.run?.events || [];
  return events.length ? events[events.length - 1].epoch : 0;
}

function updateScrubber() {
  const scrubber = document.getElementById("scrubber");
  const newest = Math.max(0, ...lab.sides.map(lastEpoch));
  scrubber.disabled = newest < 1;
  scrubber.max = Math.max(1, newest);
  scrubber.value = lab.shownEpoch ?? newest;
  document.getElementById("scrubber-epoch").textContent =
    newest ? `${scrubber.value} of ${newest}` : "";
  const training = lab.sides.some((side) => side.run && !side.run.end);
  let hint = "drag to replay any epoch";
  if (!newest) hint = training ? "starting..." : "change a setting (or press train) to start a run";
  else if (training) hint = "training: drag back to look at an earlier epoch, to the end to follow";
  document.getElementById("scrub-hint").textContent = hint;
}

// ------------------------------------------------------------------ drawing

function redraw() {
  if (!lab.sides.length) return;
  const scales = scalesOfSides();
  for (const side of lab.sides) drawSide(side, scales);
}

// The scales both sides share (charts.js sharedScales), over every epoch each run reached.
function scalesOfSides() {
  const reaches = lab.sides.filter((side) => side.run).map((side) => side.run.reach);
  return sharedScales(reaches, Math.max(...lab.sides.map((side) => (side.run?.end
    ? lastEpoch(side) : side.run?.start?.epochs || lastEpoch(side))))); // a stopped run: its epochs
}

// The scrubber moved: show its epoch (its right end: the newest, following the run).
function scrubbed(event) {
  const newest = Math.max(0, ...lab.sides.map(lastEpoch));
  const chosen = Number(event.target.value);
  lab.shownEpoch = chosen >= newest ? null : chosen;
  updateScrubber();
  redraw();
}

// Draw once per frame however fast the epochs come (a short run sends hundreds a second).
function requestRedraw() {
  if (lab.frame) return;
  lab.frame = requestAnimationFrame(() => {
    lab.frame = null;
    redraw();
  });
}

// The event of the scrubber's epoch, or of the newest epoch before it that has one.
function shownEvent(side) {
  const events = side.run?.events || [];
  const chosen = lab.shownEpoch ?? Infinity;
  let shown = events[0] || null;
  for (const event of events) if (event.epoch <= chosen) shown = event;
  return shown;
}

// ------------------------------------------------------------------ start

async function main() {
  const saved = document.getElementById("replay-data");
  if (saved) {
    showSavedReplay(JSON.parse(saved.textContent));
    return;
  }
  const { ok, answer } = await api("/api/options");
  if (!ok) {
    document.getElementById("page-message").textContent = answer.error;
    return;
  }
  setUp(answer);
  // A select may say only "change" (as a script's choice does), a field "input" as it is typed.
  for (const name of ["input", "change"]) {
    document.getElementById("shared-settings").addEventListener(name, (event) => {
      if (event.target.dataset.key !== "recipe") scheduleChange();
    });
    document.getElementById("sides").addEventListener(name, scheduleChange);
  }
  document.getElementById("compare").addEventListener("change", (event) => {
    for (const side of lab.sides.slice(1)) {
      side.source?.close();
      side.root.remove();
    }
    lab.sides = lab.sides.slice(0, 1);
    if (event.target.checked) lab.sides.push(newSide("B", sideValues(lab.sides[0])));
    arrangeSides();
    updateScrubber();
    previewCommands();
  });
  document.getElementById("train").addEventListener("click", settingsChanged);
  document.getElementById("stop").addEventListener("click", stopRuns);
  document.getElementById("scrubber").addEventListener("input", scrubbed);
  window.addEventListener("resize", redraw);
  document.getElementById("save-png").addEventListener("click", savePng);
  await openReplays(answer.opened, new URLSearchParams(location.search).get("open"));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
else main();
