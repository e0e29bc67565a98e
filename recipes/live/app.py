"""The lab's HTTP API (docs/lab.md), a Starlette app: the page, its options, checking and
starting runs, stopping one, a run's events as server-sent events, and its config as YAML.
Every answer that is not the page, a static file or an event stream is JSON; an error is one
line (``{"error": ..., "key": ...}``), never a traceback.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from recipes.errors import RecipeError, first_line
from recipes.live.guard import BadRequest, Guard, read_body, refusal
from recipes.live.runs import POLL_S, Lab
from recipes.live.settings import RunRequest, options, run_request

STATIC = Path(__file__).parent / "static"


def create_app(
    lab: Lab, token: str, hosts: list[str], recipe: str, allowed: Mapping[str, str]
) -> Starlette:
    """The lab's app; ``hosts``: the Host headers it answers to (``127.0.0.1:PORT``, ...);
    ``recipe``: the one the page starts from; ``allowed``: the loss files it may name."""

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def get_options(request: Request) -> Response:
        answer = options(request.query_params.get("recipe", recipe), allowed)
        return JSONResponse(_plain({**answer, "opened": [r.answer() for r in lab.opened]}))

    async def check(request: Request) -> Response:
        requests = await _requests(request, allowed, single=True)
        return JSONResponse({"command": requests[0].command})

    async def start_runs(request: Request) -> Response:
        body = await _json(request)
        requests = await _requests(request, allowed, body=body)
        runs = lab.start([item.recipe for item in requests], [item.command for item in requests])
        answers = [run.answer() for run in runs]
        return JSONResponse(answers if isinstance(body, list) else answers[0])

    async def stop_run(request: Request) -> Response:
        run = _run(lab, request)
        lab.stop(run, "stopped from the lab's page")
        return JSONResponse(run.answer())

    async def events(request: Request) -> Response:
        return EventSourceResponse(_event_stream(_run(lab, request)), ping=15)

    async def config_yaml(request: Request) -> Response:
        run = _run(lab, request)
        name = run.folder.parent.name  # the recipe's (a replay has no resolved recipe)
        text = (run.folder / "config.yaml").read_text(encoding="utf-8")
        disposition = {"Content-Disposition": f'attachment; filename="{name}.yaml"'}
        return PlainTextResponse(text, media_type="application/yaml", headers=disposition)

    routes = [
        Route("/", page),
        Route("/api/options", get_options),
        Route("/api/check", check, methods=["POST"]),
        Route("/api/runs", start_runs, methods=["POST"]),
        Route("/api/runs/{run_id}/stop", stop_run, methods=["POST"]),
        Route("/api/runs/{run_id}/events", events),
        Route("/api/runs/{run_id}/config.yaml", config_yaml),
        *_replay_routes(lab),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(Guard, token=token, hosts=hosts)],
        exception_handlers={HTTPException: _refused, RecipeError: _refused, Exception: _fault},
    )


def _replay_routes(lab: Lab) -> list[Any]:
    """Replays of finished runs' folders (:mod:`recipes.live.replay`), a replay as one HTML
    file (:mod:`recipes.live.export`), and the outputs index with its runs' files, read-only,
    whose rows open replays."""

    async def open_replays(request: Request) -> Response:
        body = await _json(request)
        runs = _replays(lab, body.get("folder") if isinstance(body, dict) else None)
        return JSONResponse([run.answer() for run in runs])

    async def replay_page(request: Request) -> Response:
        from recipes.live.export import replay_html

        run = _run(lab, request)
        if not run.finished:
            raise BadRequest("this run is still training: save its replay once it has ended")
        # NotReplayable for a run stopped before its recording was written
        page = await asyncio.to_thread(replay_html, [run.folder])
        name = f"replay-{run.folder.name}.html"
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        return HTMLResponse(page, headers=disposition)

    return [
        Route("/api/replays", open_replays, methods=["POST"]),
        Route("/api/runs/{run_id}/replay.html", replay_page),
        Mount("/outputs", StaticFiles(directory=lab.output_root, html=True, check_dir=False)),
    ]


def _plain(data: Any) -> Any:
    """``data`` as JSON types (a default that is a tuple or another object: its text)."""
    return json.loads(json.dumps(data, default=str))


async def _json(request: Request) -> Any:
    body = await read_body(request)
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(f"the request body is not JSON: {error}") from None
    except RecursionError:
        raise BadRequest("the request body is nested too deeply") from None


async def _requests(
    request: Request, allowed: Mapping[str, str], body: Any = None, single: bool = False
) -> list[RunRequest]:
    """The body's setting (or list of settings, side by side), each checked and resolved."""
    body = await _json(request) if body is None else body
    items = body if isinstance(body, list) else [body]
    if not items or (single and isinstance(body, list)) or len(items) > 4:
        raise BadRequest("expected one setting (or, for runs side by side, a list of 1 to 4)")
    return [run_request(item, allowed) for item in items]


def _replays(lab: Lab, folder: Any) -> list[Any]:
    """Replays of a run or sweep folder named relative to the lab's output root (as the
    outputs index names it); a folder outside it is refused, as one without a recording."""
    from recipes.live.replay import NotReplayable, replayable_folders

    if not isinstance(folder, str) or not folder:
        raise BadRequest('expected {"folder": "<recipe>/<run-id>"}, a folder of the outputs')
    root = lab.output_root.resolve()
    path = (root / folder).resolve()
    if not path.is_relative_to(root) or path == root:
        raise BadRequest(f"folder: '{folder}' is not a folder of this lab's outputs", "folder")
    try:
        return lab.open(replayable_folders(path))
    except NotReplayable as error:
        raise BadRequest(first_line(error), "folder") from None


def _run(lab: Lab, request: Request) -> Any:
    run = lab.runs.get(request.path_params["run_id"])
    if run is None:
        raise BadRequest("no such run in this lab", status=404)
    return run


async def _event_stream(run: Any) -> AsyncIterator[dict[str, str]]:
    """Every event of the run so far, then each as it comes, until its end event."""
    seen = 0
    while True:
        while seen < len(run.events):
            name, data = run.events[seen]
            seen += 1
            yield {"event": name, "data": data}
            if name == "end":
                return
        await asyncio.sleep(POLL_S)


async def _refused(request: Request, error: Exception) -> Response:
    """A BadRequest, Starlette's own (an unknown route: 404, a method: 405), or input that the
    project's own checks refuse (a RecipeError: 400, with check's one line and its key)."""
    if isinstance(error, RecipeError):
        return refusal(first_line(error), 400, error.key)
    assert isinstance(error, HTTPException)
    return refusal(str(error.detail), error.status_code, getattr(error, "key", None))


async def _fault(request: Request, error: Exception) -> Response:
    message = f"the lab failed on this request: {type(error).__name__}: {first_line(error)}"
    return refusal(message, 500)
