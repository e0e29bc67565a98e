"""The Python API (recipes.api): the same door as the command line, in a long-lived process.
In-process runs use TensorFlow (tests/conftest.py) with shrunk overrides."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import PROJECT_ROOT, shrink_overrides

import recipes
from recipes.cli.main import main


def shrunk(recipe: str = "hinge", **more) -> dict:
    overrides = dict(text.split("=", 1) for text in shrink_overrides(recipe))
    import yaml

    return {**{key: yaml.safe_load(value) for key, value in overrides.items()}, **more}


def test_import_and_check_do_not_import_keras():
    code = (
        "import sys, recipes; config = recipes.check('hinge', {'train.epochs': 3}); "
        "print(config.train.epochs, 'keras' in sys.modules, 'tensorflow' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.stdout.split() == ["3", "False", "False"], result.stderr


def test_a_bad_config_raises_the_command_line_line(capsys):
    with pytest.raises(recipes.RecipeError) as raised:
        recipes.check("hinge", {"train.epoch": 5})
    assert main(["check", "hinge", "--set", "train.epoch=5"]) == 2
    line = capsys.readouterr().err
    assert line == f"error: {raised.value}\n"
    assert "train.epoch: unknown key. Did you mean 'epochs'?" in line


def test_overrides_are_read_back_as_given():
    config = recipes.check("hinge", {"loss": "squared_hinge", "model.hidden_units": [4, 2]})
    assert config.loss.name == "squared_hinge" and config.model.params["hidden_units"] == [4, 2]
    with pytest.raises(recipes.RecipeError, match="expected a dict"):
        recipes.check("hinge", "train.epochs=5")


def interrupted_run(output_root):
    """A shrunk run interrupted at its first batch (as Ctrl-C in a kernel would)."""
    import keras

    import recipes.training.train

    class Interrupt(keras.callbacks.Callback):
        failure = None

        def on_train_batch_end(self, batch, logs=None):
            raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recipes.training.train, "nan_guard_callback", Interrupt)
        with pytest.raises(KeyboardInterrupt):
            recipes.run("hinge", shrunk(), output_root=output_root)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, tensorflow_command_line_run):
    """The same shrunk run (seed 1) twice in this process, an interrupted one between them,
    and once on the command line (a fresh process: tests/conftest.py)."""
    root = tmp_path_factory.mktemp("api")
    first = recipes.run("hinge", shrunk(seed=1), output_root=root)
    interrupted_run(root / "interrupted")
    runs = [first, recipes.run("hinge", shrunk(seed=1), output_root=root)]
    _, folder = tensorflow_command_line_run
    cli_metrics = json.loads((folder / "metrics.json").read_text())
    return runs, cli_metrics, root


def test_the_same_run_twice_gives_the_command_lines_metrics(two_runs):
    runs, cli_metrics, _ = two_runs
    assert [run.status for run in runs] == ["completed", "completed"]
    assert runs[0].folder != runs[1].folder
    for key in ("test_loss", "test_sign_accuracy", "final_loss"):
        assert runs[0].metrics[key] == pytest.approx(cli_metrics[key], abs=1e-6), key
        assert runs[1].metrics[key] == pytest.approx(cli_metrics[key], abs=1e-6), key


def test_a_run_shows_its_record(two_runs, capsys):
    run = two_runs[0][0]
    assert len(run.history["loss"]) == 2 and len(run.history["val_loss"]) == 2  # columns
    assert run.config["loss"]["name"] == "hinge" and run.config["train"]["epochs"] == 2
    assert {"loss", "decision_boundary"} <= set(run.figures)
    page = run._repr_html_()
    assert "completed" in page and "test_sign_accuracy" in page
    # the boundary and the loss inline, at a readable size; the rest as links
    assert page.count('src="data:image/png;base64,') == 2
    assert 'alt="decision_boundary"' in page and 'alt="loss"' in page
    assert {"boundary_epochs", "forces", "training"} <= set(run.figures) - {"loss"}
    for name in ("boundary_epochs.png", "forces.png", "training.gif"):
        assert f'/{name}" target="_blank">{name}</a>' in page, name
    run.show("decision_boundary")  # no IPython here: says where the file is
    assert "decision_boundary.png" in capsys.readouterr().out
    with pytest.raises(KeyError, match="no figure named 'nope'; this folder has: "):
        run.show("nope")
    again = recipes.load_run(run.folder)
    assert again.metrics == run.metrics
    model = again.load_model()
    assert model.predict(run_inputs(run), verbose=0).shape == (3, 1)


def run_inputs(run):
    import numpy as np

    return np.zeros((3, 2), dtype="float32")


def test_another_backend_is_refused_before_anything_is_made(two_runs, tmp_path):
    with pytest.raises(recipes.RecipeError) as raised:
        recipes.run("hinge", shrunk(), backend="jax", output_root=tmp_path / "out")
    assert "already runs Keras on 'tensorflow'" in str(raised.value)
    assert "restart the kernel" in str(raised.value)
    assert not (tmp_path / "out").exists()
    from recipes.training.backend import select_backend

    with pytest.raises(recipes.RecipeError) as door:  # the run's own check: the same line
        select_backend("jax")
    assert str(door.value) == str(raised.value)


def test_an_interrupt_marks_the_run_and_the_process_goes_on(two_runs):
    (folder,) = (two_runs[2] / "interrupted" / "hinge").iterdir()
    assert recipes.load_run(folder).status == "interrupted"
    assert two_runs[0][1].status == "completed"  # the run after it (metrics: the test above)


def test_user_text_is_escaped(tmp_path):
    folder = tmp_path / "hinge" / "run-1"
    folder.mkdir(parents=True)
    record = {"status": "failed", "recipe": "<script>x</script>", "reason": "a <b>bold</b> & co"}
    (folder / "run.json").write_text(json.dumps(record))
    for name in ("decision_boundary.png", "loss.png", "<i>odd & 'co'.png"):
        (folder / name).write_bytes(b"\x89PNG")  # a user's figure name (a plugin's, say)
    page = recipes.load_run(folder)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "a &lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert page.count("data:image/png;base64,") == 2 and "<i>" not in page
    assert ">&lt;i&gt;odd &amp; &#39;co&#39;.png</a>" in page
    assert '%3Ci%3Eodd%20%26%20%27co%27.png" target="_blank">' in page  # the href


def test_a_run_from_python_prints_one_line(tmp_path):
    """Not Keras' line per epoch (nor early stopping's 'Restoring model weights'): one line per
    run, with what a learner looks at first."""
    code = (
        "import json, sys, recipes\n"
        "for recipe, overrides in json.loads(sys.argv[2]):\n"
        "    recipes.run(recipe, overrides, output_root=sys.argv[1])"
    )
    runs = [["hinge", shrunk("hinge")], ["focal_rings", shrunk("focal_rings")]]
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), json.dumps(runs)],
        cwd=tmp_path,
        env={**os.environ, "KERAS_BACKEND": "jax"},  # 14 s here, 25 s on TensorFlow
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "\r" not in result.stdout  # a pipe would keep every version of a rewritten line
    hinge, focal = result.stdout.splitlines()
    (folder,) = (tmp_path / "hinge").iterdir()
    assert hinge.startswith("hinge: completed 2 epochs in ")
    assert ", final loss " in hinge and ", test_sign_accuracy " in hinge
    assert hinge.endswith(f"; hinge/{folder.name}")  # relative to the current folder
    assert focal.startswith("focal_rings: completed 2 epochs in ")
    assert "(the weights of its best, epoch " in focal and ", test_auc " in focal
    assert "Epoch" not in result.stdout + result.stderr
    assert "Restoring" not in result.stdout + result.stderr


def test_a_sweep_returns_its_runs_and_summary(stand_in_runs, tmp_path, capsys, monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)  # as outside a notebook
    sweep = recipes.sweep("hinge", {"seed": range(2)}, {"loss": "hinge"}, output_root=tmp_path)
    printed = capsys.readouterr()
    lines = printed.out.splitlines()  # the sweep's line, then one per run ("started" passes)
    assert [line.split(":")[0] for line in lines] == ["sweep hinge", "[1/2] seed=0", "[2/2] seed=1"]
    assert "completed in" in lines[1] and "started" not in printed.out + printed.err
    assert sweep.status == "completed"
    assert [run.folder.name for run in sweep.runs] == ["hinge-0", "hinge-1"]
    assert [(row["seed"], row["status"]) for row in sweep.summary] == [
        ("0", "completed"), ("1", "completed"),
    ]  # fmt: skip
    assert recipes.load_sweep(sweep.folder).summary == sweep.summary
    page = sweep._repr_html_()
    assert "sweep of hinge: completed" in page and "<td>seed</td>" not in page
    assert "<th>seed</th>" in page
    assert page.count("data:image/png;base64,") == len(
        [p for p in sweep.figures.values() if p.suffix == ".png"]
    )
