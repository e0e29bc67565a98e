# keras-loss-recipes. `make help` lists every target. Each target sets up .venv on first use.
# Override config values with SET, e.g.:  make hinge SET="train.epochs=5 seed=3"
# Choose the Keras backend with BACKEND, e.g.:  make hinge BACKEND=jax

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SET ?=
BACKEND ?=
RUN_FLAGS := $(foreach item,$(SET),--set $(item)) $(if $(BACKEND),--backend $(BACKEND),)
RECIPE = $(BIN)/python -m recipes run $(1) $(RUN_FLAGS)

.DEFAULT_GOAL := help
.PHONY: help setup hinge squared_hinge focal_rings focal_rings_weight_decay loss_gallery test test-full lint format benchmark clean-outputs list

help: ## list every target with one line
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-26s %s\n", $$1, $$2}'
	@echo '  Override config values: make hinge SET="train.epochs=5 seed=3"   backend: BACKEND=jax'

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install the package with its dependencies (automatic)

list: $(STAMP) ## list recipes, datasets, models, losses and metrics
	$(BIN)/python -m recipes list

hinge: $(STAMP) ## hinge loss on make_circles (the hinge tutorial)
	$(call RECIPE,hinge)

squared_hinge: $(STAMP) ## squared hinge loss on make_circles (the hinge tutorial)
	$(call RECIPE,squared_hinge)

# Sweeps (python -m recipes sweep): GRID="key=v1,v2 ..." adds --grid options, JOBS=N runs N
# at once; each run gets its own run folder, the table goes to outputs/sweeps/<recipe>-<id>/.
.PHONY: mnist_losses sweep
GRID ?=
JOBS ?=
SWEEP_FLAGS = $(foreach item,$(GRID),--grid $(item)) $(if $(JOBS),--jobs $(JOBS),)

mnist_losses: $(STAMP) ## MNIST under seven losses, one table and two figures (a sweep, ~2 min)
	$(BIN)/python -m recipes sweep mnist_losses $(RUN_FLAGS) $(SWEEP_FLAGS)

compare_hinge: $(STAMP) ## hinge vs squared hinge over seeds 0..4: boundaries side by side, report
	$(BIN)/python -m recipes sweep compare_hinge $(RUN_FLAGS) $(foreach item,$(GRID),--grid $(item)) --jobs $(or $(JOBS),2)

sweep: $(STAMP) ## any recipe over a grid: make sweep R=hinge GRID="seed=0,1,2" [JOBS=2]
	@test -n "$(R)" || { echo 'usage: make sweep R=<recipe> GRID="key=v1,v2 ..." [JOBS=2] [SET="key=value"]' >&2; exit 2; }
	$(BIN)/python -m recipes sweep $(R) $(RUN_FLAGS) $(SWEEP_FLAGS)

focal_rings: $(STAMP) ## focal loss + L1/L2 on imbalanced two-ring data (the focal-loss tutorial)
	$(call RECIPE,focal_rings)

focal_rings_weight_decay: $(STAMP) ## focal_rings with AdamW weight decay (biases excluded) instead of L2
	$(call RECIPE,focal_rings_weight_decay)

loss_gallery: $(STAMP) ## plot loss curves and check the tutorials' worked examples (trains nothing)
	$(call RECIPE,loss_gallery)

test: $(STAMP) ## the fast test suite (a couple of minutes)
	$(BIN)/python -m pytest -q

test-full: $(STAMP) ## every test, including the slow full reproductions of the tutorials
	$(BIN)/python -m pytest -q -m ''

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

benchmark: $(STAMP) ## time the hinge recipe against a tutorial-style script (prints ratios)
	$(BIN)/python benchmarks/hinge_speed.py

gallery: $(STAMP) ## rebuild outputs/index.html (every run, newest first, with thumbnails)
	$(BIN)/python -m recipes index

PORT ?= 8000
serve: gallery ## serve outputs/ at http://127.0.0.1:8000/ (PORT=8001 for another port; Ctrl-C stops)
	@echo "open http://127.0.0.1:$(PORT)/index.html"
	$(BIN)/python -m http.server --directory outputs --bind 127.0.0.1 $(PORT)

clean-outputs: ## delete every run folder under outputs/
	find outputs -mindepth 1 -not -name README.md -not -name .gitkeep -delete
