"""Config loading and validation: every config loads; bad input gets one clear line."""

from __future__ import annotations

import sys

import pytest

from recipes.cli.main import build_parser, main
from recipes.config.layering import overrides_as_layer
from recipes.config.resolve import resolve_recipe
from recipes.errors import RecipeError


def test_validation_does_not_import_keras():
    # Run in a fresh interpreter: this test process may already have Keras loaded.
    import subprocess

    code = (
        "import sys; from recipes.config.resolve import resolve_recipe; resolve_recipe('hinge');"
        "print('keras' in sys.modules, 'tensorflow' in sys.modules, 'sklearn' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False False False", result.stderr


def test_hinge_recipe_matches_the_tutorial():
    config = resolve_recipe("hinge").config
    assert config.data.name == "circles"
    assert config.data.params["n_samples"] == 1000 and config.data.params["factor"] == 0.1
    assert config.data.params["test_size"] == 250
    assert config.model.params["hidden_units"] == [4, 2]
    assert config.loss.name == "hinge"
    assert (config.optimizer.name, config.optimizer.learning_rate) == ("adam", 0.03)
    assert (config.train.epochs, config.train.batch_size) == (30, 5)
    assert config.train.validation_split == 0.2


def test_overrides_are_parsed_as_yaml_and_nested():
    layer = overrides_as_layer(["train.epochs=5", "seed=3", "model.hidden_units=[8, 4]"])
    assert layer == {"train": {"epochs": 5}, "seed": 3, "model": {"hidden_units": [8, 4]}}
    config = resolve_recipe("hinge", ["train.epochs=5", "seed=3", "loss=squared_hinge"]).config
    assert (config.train.epochs, config.seed, config.loss.name) == (5, 3, "squared_hinge")


def test_switching_component_drops_old_parameters():
    # binary_crossentropy has from_logits; hinge must not inherit it
    config = resolve_recipe("hinge", ["loss.name=binary_crossentropy", "loss.from_logits=true"])
    assert config.config.loss.params["from_logits"] is True
    config = resolve_recipe("hinge", ["loss=hinge"]).config
    assert config.loss.params == {}


def _error(recipe, overrides=(), backend=None) -> str:
    with pytest.raises(RecipeError) as caught:
        resolve_recipe(recipe, overrides, backend)
    return str(caught.value)


def test_unknown_key_names_file_path_and_suggestion(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "data: circles\nmodel: {name: mlp, hidden_units: [4, 2], output: tanh}\n"
        "loss: hinge\ntrain:\n  epoch: 5\n"
    )
    message = _error(str(path))
    assert "mine.yaml: train.epoch: unknown key. Did you mean 'epochs'?" in message


def test_unknown_key_from_command_line_names_set():
    message = _error("hinge", ["train.bach_size=4"])
    assert message.startswith("--set: train.bach_size: unknown key. Did you mean 'batch_size'?")


def test_lr_is_rejected_with_learning_rate_named():
    message = _error("hinge", ["optimizer.lr=0.1"])
    assert "optimizer.lr: unknown key. Did you mean 'learning_rate'?" in message


def test_unknown_loss_suggests_closest():
    message = _error("hinge", ["loss=squared_hinj"])
    assert "loss.name: unknown loss 'squared_hinj'. Did you mean 'squared_hinge'?" in message
    assert "Valid names:" in message


def test_unknown_dataset_and_model_parameters():
    assert "data.factr: unknown key. Did you mean 'factor'?" in _error("hinge", ["data.factr=0.2"])
    assert "model.hidden_unit: unknown key. Did you mean 'hidden_units'?" in _error(
        "hinge", ["model.hidden_unit=[3]"]
    )


def test_wrong_type_says_expected_and_received():
    message = _error("hinge", ["train.epochs=five"])
    assert message.startswith("--set: train.epochs: input should be a valid integer")
    assert "got 'five' (str)" in message


def test_out_of_range_values():
    assert "train.epochs: input should be greater than 0; got 0 (int)" in _error(
        "hinge", ["train.epochs=0"]
    )
    assert "data.factor: input should be less than 1" in _error("hinge", ["data.factor=1.5"])
    assert "validation_split: input should be less than 1" in _error(
        "hinge", ["train.validation_split=1"]
    )
    assert "test_size (2000) must be smaller than n_samples (1000)" in _error(
        "hinge", ["data.test_size=2000"]
    )


def test_broken_yaml_names_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("train:\n  epochs: 5\n   batch_size: [1, 2\n")
    message = _error(str(path))
    assert "broken.yaml: line" in message and "invalid YAML" in message


def test_missing_file_and_unknown_recipe(tmp_path):
    assert "config file not found" in _error(str(tmp_path / "nope.yaml"))
    assert "unknown recipe 'hingee'. Did you mean 'hinge'?" in _error("hingee")


def test_bad_set_syntax():
    assert "--set expects key=value" in _error("hinge", ["train.epochs"])


def test_unknown_backend_and_optimizer():
    assert "backend: input should be 'tensorflow', 'jax' or 'torch'" in _error(
        "hinge", ["backend=theano"]
    )
    assert "unknown optimizer 'adamm'. Did you mean 'adam'?" in _error(
        "hinge", ["optimizer.name=adamm"]
    )


def test_bad_config_on_the_command_line_is_one_line_exit_2_no_run_folder(cli, tmp_path):
    result = cli("run", "hinge", "--set", "train.epoch=5", "--output-root", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --set: train.epoch: unknown key. Did you mean 'epochs'? Valid keys here: steps, "
        "epochs, batch_size, validation_split, shuffle, steps_per_execution, jit_compile, "
        "trainer, checkpoint, checkpoint_every_s, early_stopping, tensorboard"
    ]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_usage_error_is_one_line_naming_its_command(cli, capsys):
    result = cli("run")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: the following arguments are required: recipe (see: python -m recipes run --help)"
    ]
    for arguments, command in [
        ([], "python -m recipes"),
        (["resume"], "python -m recipes resume"),
        (["check", "hinge", "--output-root", "x"], "python -m recipes check"),
        (["sweep", "hinge", "--bogus"], "python -m recipes sweep"),
    ]:
        assert main(arguments) == 2
        assert capsys.readouterr().err.strip().endswith(f"(see: {command} --help)")


def test_every_command_that_reads_or_writes_the_output_root_takes_it(tmp_path, capsys):
    parser = build_parser()
    for command in [
        ["run", "hinge"], ["launch", "hinge"], ["sweep"], ["resume", "folder"],
        ["plot", "folder"], ["list"], ["index"], ["clean"],
    ]:  # fmt: skip
        arguments = parser.parse_args([*command, "--output-root", str(tmp_path)])
        assert arguments.output_root == tmp_path, command
    (tmp_path / "hinge" / "run-1").mkdir(parents=True)
    (tmp_path / "hinge" / "run-1" / "run.json").write_text('{"status": "completed"}')
    assert main(["list", "--output-root", str(tmp_path)]) == 0
    assert f"outputs:    {tmp_path}: 1 completed" in capsys.readouterr().out


def test_an_empty_config_file_says_it_is_empty(tmp_path):
    path = tmp_path / "empty.yaml"
    for text in ("", "# only a comment\n"):
        path.write_text(text)
        with pytest.raises(RecipeError, match=r"empty\.yaml: the file is empty"):
            resolve_recipe(str(path))


@pytest.mark.parametrize(
    ("environment", "flag", "expected"),
    [(None, None, "jax"), ("tensorflow", None, "tensorflow"), ("tensorflow", "jax", "jax")],
)
def test_the_backend_is_the_flag_then_keras_backend_then_jax(
    monkeypatch, environment, flag, expected
):
    if environment is None:
        monkeypatch.delenv("KERAS_BACKEND", raising=False)
    else:
        monkeypatch.setenv("KERAS_BACKEND", environment)
    assert resolve_recipe("hinge", backend=flag).config.backend == expected


def test_sweep_help_lists_every_registered_executor(capsys, monkeypatch):
    """The --executor help is built from the registry: an executor registered later is in it."""
    from recipes.plugins import EXECUTORS
    from recipes.registry import Registry

    monkeypatch.setenv("COLUMNS", "1000")  # no wrapping at a hyphen ("long-lived")
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in ["processes", "vectorized", "workers", "ray"]:
        assert name in EXECUTORS.names()
        assert f"{name}: {EXECUTORS.entry(name).info['summary']}" in text
    extra = Registry("executor")
    extra.register_reference("elsewhere", "somewhere:Executor", summary="a test's own")
    monkeypatch.setattr("recipes.cli.main.EXECUTORS", extra)
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    assert "elsewhere: a test's own" in " ".join(capsys.readouterr().out.split())
