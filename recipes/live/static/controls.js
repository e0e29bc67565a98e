"use strict";
// The lab's controls (recipes/live/static/lab.js builds the page with them): one a config key,
// starting from the recipe's value (or another side's), with its message beside it; the loss
// with the parameters of the loss chosen (elements made by view.js's element). Text only ever
// goes in as text, never as HTML.

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
    input.append(...options(choices));
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

// A select's options: each choice a value, a [value, text] pair or a {group, choices}.
function options(choices) {
  return choices.map((choice) => {
    if (choice.group) {
      return element("optgroup", { label: choice.group }, ...options(choice.choices));
    }
    const [value, text] = Array.isArray(choice) ? choice : [choice, choice];
    return element("option", { value }, text);
  });
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

const LABEL_KINDS = { plus_minus_one: "-1/+1 targets", binary: "0/1 targets",
  categorical: "one-hot targets" };

function parameterKind(value) {
  if (typeof value === "boolean") return "checkbox";
  return typeof value === "number" ? "number" : "value";
}

// Every loss the lab can name: [{name, labels, parameters: {name: default}}]. A loss file
// must say which targets it trains on (``labels``): the recipe's loss's, until changed.
function lossChoices() {
  const { choices, config } = lab.options;
  const recipeLabels = choices.losses.find((loss) => loss.name === config.loss?.name)?.labels;
  const files = (choices.loss_files || []).map((name) => ({
    name, file: true, parameters: { labels: config.loss?.labels ?? recipeLabels ?? "binary" },
  }));
  return [...choices.losses, ...files];
}

// The loss select's options, grouped by the targets each loss trains on.
function lossGroups(losses, recipeLoss) {
  const groups = new Map();
  for (const loss of losses) {
    const group = loss.file ? "your loss files (--loss-file, configs/losses/)"
      : `for ${LABEL_KINDS[loss.labels] ?? loss.labels ?? "any"}`;
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(loss.name);
  }
  if (!losses.some((loss) => loss.name === recipeLoss.name)) {
    groups.set("this recipe's", [recipeLoss.name]);
  }
  return [...groups].map(([group, names]) => ({ group, choices: names }));
}

// A loss parameter's control. A loss file's ``labels`` is always sent: it has no default.
function parameterControl(parameter, value, baseline, fallback, file) {
  const key = `loss.${parameter}`;
  if (parameter === "labels") {
    return control(key, "targets", "select", value, file ? undefined : baseline,
      Object.entries(LABEL_KINDS));
  }
  return control(key, parameter, parameterKind(fallback ?? value), value, baseline);
}

// The loss: its name, and a control for each of its parameters, rebuilt when the name changes
// (a parameter both losses have keeps the value the learner gave it).
function buildLoss(side, values) {
  const fieldset = side.root.querySelector("fieldset.loss");
  const recipeLoss = lab.options.config.loss || {};
  const losses = lossChoices();
  const name = control("loss.name", "loss", "select", values["loss.name"] ?? recipeLoss.name,
    recipeLoss.name, lossGroups(losses, recipeLoss));
  const parameterBox = element("div", { class: "parameters" });
  fieldset.append(name.row, parameterBox);
  side.loss = { name, parameters: [] };
  const rebuild = (kept) => {
    const chosen = losses.find((loss) => loss.name === name.input.value) || { parameters: {} };
    const ownLoss = chosen.name === recipeLoss.name;
    const defaults = { ...chosen.parameters };
    for (const key of Object.keys(ownLoss ? recipeLoss : {})) {
      if (key !== "name") defaults[key] ??= recipeLoss[key];
    }
    side.loss.parameters = Object.entries(defaults).map(([parameter, fallback]) => {
      const baseline = ownLoss && parameter in recipeLoss ? recipeLoss[parameter] : fallback;
      const value = parameter in kept ? kept[parameter] : baseline;
      return parameterControl(parameter, value, baseline, fallback, Boolean(chosen.file));
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
    ["model.hidden_activation", "activation", "select",
      withValue(choices.activations, config.model.hidden_activation)],
    ["model.init", "init", "select", withValue(["keras", "pytorch"], config.model.init)],
    ["model.kernel_initializer", "kernel initializer", "select",
      withValue(initializers, config.model.kernel_initializer)],
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
  const known = choices.some((choice) =>
    (Array.isArray(choice) ? choice[0] : choice) === (value ?? ""));
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
    "both sides: the same data, seed and starting weights"));
  lab.shared[0].input.addEventListener("change", () => switchRecipe(lab.shared[0].input.value));
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
