"""``python -m recipes lab [RECIPE]``: one warm process (Keras and JAX imported, the backend
started, before the address is printed) serving the lab's app with uvicorn, until Ctrl-C or
SIGTERM, which stop the lab's runs (recorded ``interrupted``) before it exits.
"""

from __future__ import annotations

import asyncio
import gc
import secrets
import socket
import sys
import webbrowser
from pathlib import Path
from typing import Any

from recipes.errors import RecipeError
from recipes.signals import Stopped, describe_stop

LOCAL = "127.0.0.1"
STOP_WAIT_S = 30.0  # how long the lab waits for its runs to record their stop
WIDE_OPEN = (
    "warning: the lab listens on {host}: anyone who can reach port {port} and has the token "
    "can run code on this machine (a loss file, training); use it on a network you trust"
)


def warm_keras(backend: str) -> None:
    """Import Keras (and its backend) and start the backend's runtime, once, so the first
    run from the page pays neither."""
    from recipes.training.backend import select_backend

    select_backend(backend)
    import keras

    import recipes.datasets  # noqa: F401  (the modules every run uses, imported once)
    import recipes.live.watch  # noqa: F401
    import recipes.training.compiled  # noqa: F401
    import recipes.training.train  # noqa: F401

    keras.ops.convert_to_numpy(keras.ops.zeros(()))
    # every run starts with Keras' clear_session, whose gc.collect walks every object of the
    # process (0.4 s with Keras, JAX and TensorFlow's modules loaded); what is loaded now lives
    # as long as the lab, so the collector leaves it out from here on
    gc.freeze()


def bound_socket(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one); RecipeError if taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=128)
    except OSError as error:
        raise RecipeError(
            f"--port {port}: cannot listen on {host}:{port} ({error.strerror}); "
            "give another port, or --port 0 for a free one"
        ) from None


def serve(
    recipe: str,
    port: int,
    host: str,
    output_root: Path,
    loss_files: list[str],
    open_browser: bool,
) -> int:
    """Start the lab and serve until stopped; returns the exit status."""
    import uvicorn

    from recipes.config.resolve import resolve_recipe
    from recipes.live.app import create_app
    from recipes.live.runs import Lab
    from recipes.live.settings import allowed_loss_files, drawable_recipe, two_feature_recipes

    opened: list[Path] = []
    if recipe not in two_feature_recipes() and Path(recipe).is_dir():
        recipe, opened = opened_folder(Path(recipe), two_feature_recipes())
    drawable_recipe(recipe)
    allowed = allowed_loss_files(loss_files)
    warm_keras(resolve_recipe(recipe).config.backend)
    listener = bound_socket(host, port)
    port = listener.getsockname()[1]
    hosts = [f"{LOCAL}:{port}", f"localhost:{port}"]
    if host not in (LOCAL, "localhost"):
        hosts.append(f"{host}:{port}")
        print(WIDE_OPEN.format(host=host, port=port), file=sys.stderr, flush=True)
    token = secrets.token_urlsafe(24)
    lab = Lab(output_root)
    lab.opened = lab.open(opened)
    app = create_app(lab, token, hosts, recipe, allowed)
    shown = LOCAL if host in ("localhost", "0.0.0.0", "::") else host  # an address to open
    url = f"http://{shown}:{port}/?token={token}"
    print(f"lab: {url}", flush=True)
    if open_browser:
        webbrowser.open(url)
    # uvicorn raises the signal that stopped it again once it is done: the command line
    # then exits as every command does (130 Ctrl-C, 143 SIGTERM)
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    asyncio.run(serve_on(lab, config, listener))
    return 0


def opened_folder(folder: Path, recipes: tuple[str, ...]) -> tuple[str, list[Path]]:
    """A run or sweep folder given as the lab's RECIPE: the recipe the page starts from (the
    runs', else hinge) and the run folders to replay; NotReplayable (exit status 2, its one
    line) when none has a recording."""
    from recipes import records
    from recipes.live.replay import replayable_folders

    folders = replayable_folders(folder)
    recipe = records.read_run(folders[0]).recipe
    return (recipe if recipe in recipes else "hinge"), folders


async def serve_on(lab: Any, config: Any, listener: socket.socket) -> None:
    """uvicorn's server, whose Ctrl-C or SIGTERM first stops the lab's runs; then wait for
    each to record ``interrupted`` in its folder."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            lab.stop_all(describe_stop(Stopped(sig)))  # what run.json says of a signal
            super().handle_exit(sig, frame)

    try:
        await Server(config).serve(sockets=[listener])
    finally:
        await asyncio.to_thread(lab.join, STOP_WAIT_S)
