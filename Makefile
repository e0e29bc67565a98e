# keras-loss-recipes. `make help` lists every target. Each target sets up .venv on first use.
# Every configs/<recipe>.yaml is a target: `make hinge`, `make compare_hinge`, ... (or
# `make run R=<recipe>`). Adding a recipe is adding one YAML file.
# Override config values with SET, e.g.:  make hinge SET="train.epochs=5 seed=3"
# Choose the Keras backend with BACKEND, e.g.:  make hinge BACKEND=jax
# Sweeps: GRID="key=v1,v2 ..." adds --grid options, JOBS=N runs N at once, EXECUTOR=ray runs
# the points on Ray (ADDRESS=auto or HOST:PORT: a running cluster; none: Ray started here).
# Extras installed into .venv on first use: EXTRAS=dev,torch adds PyTorch (CI does; see .ci/run).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One stamp per set of extras: `make test` after `make hinge` (EXTRAS=dev) and then `bash .ci/run`
# (EXTRAS=dev,torch) installs the torch extra instead of finding .venv set up and skipping it.
comma := ,
STAMP = $(VENV)/.installed-$(subst $(comma),+,$(EXTRAS))
SET ?=
BACKEND ?=
GRID ?=
JOBS ?=
EXECUTOR ?=
ADDRESS ?=
PORT ?= 8000
TENSORBOARD_PORT ?= 6006
LAB_PORT ?= 0
EXTRAS ?= dev
TEST_WORKERS ?= 2
FORCE ?=
FORCE_FLAG = $(if $(FORCE), --force,)
RUN_FLAGS = $(foreach item,$(SET),--set $(item)) $(if $(BACKEND),--backend $(BACKEND),)
SWEEP_FLAGS = $(foreach item,$(GRID),--grid $(item)) $(if $(JOBS),--jobs $(JOBS),) \
	$(if $(EXECUTOR),--executor $(EXECUTOR),) $(if $(ADDRESS),--address $(ADDRESS),)

TARGETS := help setup list run sweep resume test test-system test-full lint format benchmark \
	fidelity gallery serve lab tensorboard notebook clean-outputs
# One target per recipe file (a recipe named like a target above is reachable by `make run R=`).
RECIPES := $(filter-out defaults $(TARGETS),$(sort $(basename $(notdir $(wildcard configs/*.yaml)))))

.DEFAULT_GOAL := help
.PHONY: $(TARGETS) $(RECIPES)

help: ## list every target and every recipe with one line
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-26s %s\n", $$1, $$2}'
	@echo 'Recipes (configs/<recipe>.yaml; a sweep when the config has a grid):'
	@for recipe in $(RECIPES); do \
		description=$$(sed -n 's/^description: *//p' configs/$$recipe.yaml | head -n 1); \
		printf "  make %-26s %s\n" "$$recipe" "$${description:-(see configs/$$recipe.yaml)}"; \
	done
	@echo 'Override config values: make hinge SET="train.epochs=5 seed=3"   backend: BACKEND=jax'

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install the package with its dependencies (automatic)

list: $(STAMP) ## list recipes and every registered name (datasets, losses, tasks, reports, ...)
	$(BIN)/python -m recipes list

$(RECIPES): $(STAMP)
	$(BIN)/python -m recipes launch $@ $(RUN_FLAGS) $(SWEEP_FLAGS)

run: $(STAMP) ## any recipe: make run R=<recipe or path/to.yaml> [SET=...] [BACKEND=...]
	@test -n "$(R)" || { echo 'usage: make run R=<recipe> [SET="key=value ..."]' >&2; exit 2; }
	$(BIN)/python -m recipes launch $(R) $(RUN_FLAGS) $(SWEEP_FLAGS)

sweep: $(STAMP) ## any recipe over a grid: make sweep R=hinge GRID="seed=0,1,2" [JOBS=2] [EXECUTOR=ray]
	@test -n "$(R)" || { echo 'usage: make sweep R=<recipe> GRID="key=v1,v2 ..." [JOBS=2] [SET="key=value"] [EXECUTOR=ray [ADDRESS=auto]]' >&2; exit 2; }
	$(BIN)/python -m recipes sweep $(R) $(RUN_FLAGS) $(SWEEP_FLAGS)

resume: $(STAMP) ## continue a stopped run or sweep: make resume RUN=outputs/<recipe>/<run-id> [FORCE=1]
	@test -n "$(RUN)" || { echo 'usage: make resume RUN=<run folder or sweep folder> [FORCE=1]' >&2; exit 2; }
	@if [ -f "$(RUN)/sweep.json" ]; then \
		echo "$(BIN)/python -m recipes sweep --resume $(RUN) $(if $(JOBS),--jobs $(JOBS),)$(FORCE_FLAG)"; \
		$(BIN)/python -m recipes sweep --resume "$(RUN)" $(if $(JOBS),--jobs $(JOBS),)$(FORCE_FLAG); \
	else \
		echo "$(BIN)/python -m recipes resume $(RUN)$(FORCE_FLAG)"; \
		$(BIN)/python -m recipes resume "$(RUN)"$(FORCE_FLAG); \
	fi

test: $(STAMP) ## the fast test suite (minutes on 2 cores: docs/speed.md; TEST_WORKERS=1: one process)
	$(BIN)/python -m pytest -q $(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile,)

test-system: $(STAMP) ## real signals, the Ray cluster, Chromium, Jupyter, torch (minutes: docs/speed.md)
	$(BIN)/python -m pytest -q -m 'system and not slow'

test-full: $(STAMP) ## every test: the fast suite, the system tier and the slow full reproductions
	$(BIN)/python -m pytest -q -m ''

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

# make benchmark: WRITE_DOCS=1 writes docs/speed.md's table, SUITE=1 also times make test's
# command, SKIP_SWEEP=1 leaves out compare_hinge
WRITE_DOCS ?=
SUITE ?=
SKIP_SWEEP ?=
BENCHMARK_FLAGS = $(if $(WRITE_DOCS), --write-docs,)$(if $(SUITE), --suite,)$(if $(SKIP_SWEEP), --skip-sweep,)

benchmark: $(STAMP) ## the speed goals as ratios to baselines measured in the same run (minutes; WRITE_DOCS=1: into docs/speed.md)
	$(BIN)/python benchmarks/fast_path.py$(BENCHMARK_FLAGS)

# make fidelity: SEEDS (hinge, rings), MNIST_SEEDS, MNIST_STEPS (empty: 10 epochs), QUICK=1
SEEDS ?= 20
MNIST_SEEDS ?= 3
MNIST_STEPS ?=
QUICK ?=
FIDELITY_FLAGS = --seeds $(SEEDS) --mnist-seeds $(MNIST_SEEDS) \
	$(if $(MNIST_STEPS),--mnist-steps $(MNIST_STEPS),) $(if $(QUICK),--quick,)

fidelity: $(STAMP) ## tutorials' numbers over seeds: recipe vs own code (minutes: docs/speed.md; SEEDS=20 MNIST_SEEDS=3; full MNIST: MNIST_SEEDS=20 MNIST_STEPS=3000, hours)
	@$(BIN)/python -c 'import torch' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[torch]'
	$(BIN)/python -m recipes.studies.fidelity $(FIDELITY_FLAGS)

gallery: $(STAMP) ## rebuild outputs/index.html (every run, newest first, with thumbnails)
	$(BIN)/python -m recipes index

serve: gallery ## serve outputs/ at http://127.0.0.1:8000/, drawing a run's pending figures when opened (PORT=8001 for another port; Ctrl-C stops)
	$(BIN)/python -m recipes serve --port $(PORT)

lab: $(STAMP) ## the lab: change a loss and watch it train, live, in the browser (R=<recipe>, default hinge; LAB_PORT=8765; Ctrl-C stops; docs/lab.md)
	@$(BIN)/python -c 'import starlette, uvicorn, sse_starlette' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/python -m recipes lab $(R) --port $(LAB_PORT)

tensorboard: $(STAMP) ## TensorBoard over outputs/ (runs with train.tensorboard=true) at http://127.0.0.1:6006/
	@$(BIN)/python -c 'import tensorboard' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[tensorboard]'
	@echo "open http://127.0.0.1:$(TENSORBOARD_PORT)/ (Ctrl-C stops; TENSORBOARD_PORT=6007 for another port)"
	$(BIN)/tensorboard --logdir outputs --host 127.0.0.1 --port $(TENSORBOARD_PORT)

notebook: $(STAMP) ## JupyterLab in notebooks/ (the four tutorials and 05_lab on the Python API; Ctrl-C stops)
	@test -x $(BIN)/jupyter-lab || { echo "JupyterLab is not installed: $(BIN)/python -m pip install -e '.[notebooks]'" >&2; exit 2; }
	$(BIN)/jupyter-lab --notebook-dir notebooks$(if $(filter 0,$(shell id -u)), --allow-root,)

clean-outputs: $(STAMP) ## delete the run and sweep folders and the index under outputs/ (nothing else)
	$(BIN)/python -m recipes clean
