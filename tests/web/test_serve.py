"""`storydesk serve` as a real process on loopback: a bounded load, oversized requests, traversal.

The in-process TestClient tests (test_app.py) cannot see what the HTTP server does with raw bytes:
here requests go over a socket to uvicorn, unnormalised (`/static/../pyproject.toml` is sent as
written), and the server must stay up and keep answering. The load test is small (CI runs on two
shared cores); bench/load.py runs the big one. Both share bench/load.py's server and load code.
"""

from __future__ import annotations

import contextlib
import importlib.util
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from storydesk_test_builders import fill_store

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("storydesk_bench_load", ROOT / "bench" / "load.py")
assert _spec and _spec.loader
load = importlib.util.module_from_spec(_spec)
sys.modules["storydesk_bench_load"] = load
_spec.loader.exec_module(load)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seed_set, evil_set) -> Iterator[str]:  # type: ignore[no-untyped-def]
    (s1, a1), (s2, a2) = seed_set, evil_set
    arts = {a.id: a for a in a1 + a2}
    data = fill_store(tmp_path_factory.mktemp("serve") / "data", [s1, s2], list(arts.values()))
    with load.serve(data) as base:
        yield base


def raw(base: str, request: bytes) -> bytes:
    """Send raw bytes to the server; return what it answers (b"" if it just closes)."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        # The server may close before reading everything: that is a refusal too.
        with contextlib.suppress(OSError):
            s.sendall(request)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks)


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def test_server_binds_loopback_only(server: str) -> None:
    assert urlsplit(server).hostname == "127.0.0.1"


def test_bounded_load_has_no_errors(server: str) -> None:
    load.run_load(server, requests=12, concurrency=2)  # warm-up: the first story page loads models
    results, wall = load.run_load(server, requests=120, concurrency=4)
    print("\n" + "\n".join(load.table("test store", results, wall)))  # the numbers, for -s runs
    assert sum(len(r.latencies) for r in results.values()) == 120
    assert all(r.errors == 0 for r in results.values()), {n: r.errors for n, r in results.items()}
    # Generous: the point is that nothing stalls, not a latency target (the box is shared).
    assert all(r.percentile(95) < 5.0 for r in results.values())


@pytest.mark.parametrize("path", [
    b"/static/../pyproject.toml", b"/static/../../pyproject.toml", b"/static/..%2f..%2fpyproject.toml",
    b"/static/%2e%2e/%2e%2e/pyproject.toml", b"/static/..\\..\\pyproject.toml", b"/articles/..%2f..%2fpyproject.toml",
    b"/articles/../../../../etc/passwd", b"/stories/..%2f..%2f..%2fetc%2fpasswd", b"/api/articles/..%2f..%2fapp.py",
    b"/static//etc/passwd", b"/static/%00", b"/articles/%00", b"/api/stories/%25",
])
def test_no_traversal_over_http(server: str, path: bytes) -> None:
    answer = raw(server, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert status(answer) in (400, 404), answer[:200]
    assert b"[project]" not in answer and b"root:" not in answer and b"create_app" not in answer


def test_oversized_headers_and_bodies_are_refused(server: str) -> None:
    big_header = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 200_000 + b"\r\nConnection: close\r\n\r\n"
    answer = raw(server, big_header)
    assert answer == b"" or status(answer) in (400, 413, 431), answer[:200]
    post = b"POST /api/stories HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    declared = post + b"Content-Length: 1000000000000\r\n\r\n"
    assert status(raw(server, declared)) == 413
    chunk = b"%x\r\n%s\r\n" % (16_384, b"x" * 16_384)
    chunked = post + b"Transfer-Encoding: chunked\r\n\r\n" + chunk * 8 + b"0\r\n\r\n"
    # No route reads a body, so an unsized (chunked) one is never buffered: refused as it is read
    # (413, by the Guard) or answered before it is read (405).
    assert status(raw(server, chunked)) in (405, 413)
    many = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(5000)) + b"\r\n"
    answer = raw(server, many + b"Connection: close\r\n\r\n")
    assert answer == b"" or status(answer) in (200, 400, 413, 431)
    # ...and the server is still up and answering
    assert httpx.get(server + "/api/stories", timeout=10).status_code == 200
