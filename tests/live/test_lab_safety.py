"""The lab's safety rules (docs/lab.md), each sent as a bad request to a real lab process: the
answer is the refusal, one line of JSON, and the lab still answers a good request after it."""

from __future__ import annotations

import json
import signal
import socket

import pytest
from lab_client import start_lab
from lab_fixtures import LOSS_FILE, first_epoch_then, module_lab, shrunk

from recipes import records

lab = module_lab()


def still_answers(lab):
    status, answer = lab.call("POST", "/api/check", shrunk())
    assert status == 200 and answer["command"].startswith("python -m recipes run hinge")


def refused(lab, status, body, expected_status, words):
    assert status == expected_status, body
    answer = json.loads(body)
    assert set(answer) <= {"error", "key"} and words in answer["error"]
    assert "\n" not in answer["error"] and "Traceback" not in answer["error"]
    still_answers(lab)


def host(lab):
    return f"127.0.0.1:{lab.port}"


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/api/options", {}),
        ("/api/options?token=wrong", {}),
        ("/api/options", {"Authorization": "token wrong"}),
        ("/", {}),
        ("/static/index.html", {}),
    ],
)
def test_a_request_without_the_token_is_refused(lab, path, headers):
    status, _, body = lab.raw("GET", path, headers=headers)
    refused(lab, status, body, 403, "token")


def test_the_token_is_taken_from_the_query_or_the_header(lab):
    assert lab.raw("GET", f"/api/options?token={lab.token}")[0] == 200
    assert lab.raw("GET", "/api/options", headers={"Authorization": f"token {lab.token}"})[0] == 200
    status, headers, body = lab.raw("GET", f"/?token={lab.token}")
    assert status == 200 and headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("name", ["evil.example:{port}", "127.0.0.1:1", "attacker.test"])
def test_another_host_header_is_refused(lab, name):
    headers = lab.headers(Host=name.format(port=lab.port))
    status, _, body = lab.raw("GET", "/api/options", headers=headers)
    refused(lab, status, body, 403, "Host")
    assert (
        lab.raw("GET", "/api/options", headers=lab.headers(Host=f"localhost:{lab.port}"))[0] == 200
    )


@pytest.mark.parametrize("origin", [None, "http://evil.example", "null", "http://127.0.0.1:1"])
def test_a_post_from_another_origin_is_refused(lab, origin):
    headers = {"Authorization": f"token {lab.token}", "Content-Type": "application/json"}
    if origin is not None:
        headers["Origin"] = origin
    body = json.dumps(shrunk()).encode()
    status, _, answer = lab.raw("POST", "/api/runs", body, headers)
    refused(lab, status, answer, 403, "Origin")


@pytest.mark.parametrize(
    "loss",
    [
        str(LOSS_FILE) + ":halved_hinge",  # a path, even to an allowed file
        "../tests/live/lab_losses.py:halved_hinge",
        "os:system",  # a module's function
        "lab_losses.py:not_there",
        {"name": "/tmp/x.py:f", "labels": "binary"},
    ],
)
def test_a_loss_given_as_a_path_or_code_is_refused(lab, loss):
    status, answer = lab.call("POST", "/api/runs", shrunk(loss=loss))
    refused(lab, status, json.dumps(answer).encode(), 400, "loss file")


def test_a_path_anywhere_in_the_overrides_is_refused(lab):
    status, answer = lab.call("POST", "/api/check", shrunk(**{"data.path": "/etc/passwd"}))
    refused(lab, status, json.dumps(answer).encode(), 400, "path or code")


@pytest.mark.parametrize("key", ["loss.name=/tmp/evil.py:f #", "loss name", "", "a..b"])
def test_a_key_that_is_not_a_dotted_name_is_refused(lab, key):
    status, answer = lab.call("POST", "/api/runs", shrunk(**{key: 1}))
    refused(lab, status, json.dumps(answer).encode(), 400, "not a config key")


@pytest.mark.parametrize(
    "path", ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py", "/static/nothing"]
)
def test_static_files_come_from_the_lab_folder_only(lab, path):
    status, _, body = lab.raw("GET", f"{path}?token={lab.token}")
    assert status == 404 and b"import" not in body
    still_answers(lab)


def test_a_large_body_is_refused(lab):
    body = json.dumps({"recipe": "hinge", "overrides": {"x": "a" * 70_000}}).encode()
    status, _, answer = lab.raw("POST", "/api/check", body, lab.headers())
    refused(lab, status, answer, 413, "64 KiB")


@pytest.mark.parametrize(
    "body, words",
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[]", "list of 1 to 4"),
        (b"[" * 30_000 + b"]" * 30_000, "nested too deeply"),
        (b"42", "JSON object"),
        (b'{"recipe": 3}', "recipe"),
        (b'{"recipe": "../configs/hinge"}', "recipe"),
        (b'{"recipe": "hinge", "overrides": ["loss=mse"]}', "overrides"),
        (b'{"recipe": "hinge", "overrides": {"loss": "no_such_loss"}}', "no_such_loss"),
        (b'{"recipe": "hinge", "bogus": 1}', "bogus"),
        (b'{"recipe": "hinge", "overrides": {"data": "mnist"}}', "two features"),
        (b'{"recipe": "hinge", "overrides": {"backend": "tensorflow"}}', "Keras on 'jax'"),
    ],
)
def test_a_malformed_request_is_one_line_and_the_lab_goes_on(lab, body, words):
    status, _, answer = lab.raw("POST", "/api/runs", body, lab.headers())
    refused(lab, status, answer, 400, words)


def test_an_unknown_run_or_route_is_404_in_one_line(lab):
    status, _, answer = lab.raw("GET", "/api/runs/nope/events", headers=lab.headers())
    refused(lab, status, answer, 404, "no such run")
    status, _, answer = lab.raw("GET", "/api/nothing", headers=lab.headers())
    refused(lab, status, answer, 404, "Not Found")


def test_the_lab_listens_on_127_0_0_1_only(lab):
    with pytest.raises(OSError), socket.create_connection(("127.0.0.2", lab.port), timeout=2):
        pass
    still_answers(lab)


def test_another_host_warns_and_sigterm_records_the_run_interrupted(tmp_path):
    with start_lab(["hinge", "--host", "127.0.0.2"], tmp_path, {"KERAS_BACKEND": "jax"}) as other:
        assert other.host == "127.0.0.2"
        run = other.post("/api/runs", shrunk(**{"train.epochs": 150}))
        first_epoch_then(other, run["id"], lambda: other.process.send_signal(signal.SIGTERM))
        assert other.process.wait(60) == 128 + signal.SIGTERM
        warning = other.process.stderr.read()
    assert "anyone who can reach port" in warning and "Traceback" not in warning
    record = records.read_run(tmp_path / "hinge" / run["id"])
    assert record.status == "interrupted" and record.reason == "stopped by SIGTERM"
