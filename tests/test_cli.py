"""The command line: help on every command, exit codes, --json documents, the main job on the seeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storydesk.cli import RichProgress, app, main
from storydesk.store import open_store

COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)  # type: ignore[union-attr]
CONTRACT_COMMANDS = {"run", "ingest", "articles", "export", "show", "stories", "story", "serve"}


def sd(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_every_contract_command_exists() -> None:
    assert set(COMMANDS) >= CONTRACT_COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = sd(command, "--help", capsys=capsys)
    assert code == 0
    assert "Example: storydesk" in out
    for option_line in [line for line in out.splitlines() if line.strip().startswith("│ --")]:
        # every option documents itself (a line with just the flag and type has no help)
        assert len(option_line.split()) > 3, option_line


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_quiet(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    # scripts pass --quiet to every command; a read command refusing it broke a reliability test
    code, out, _ = sd(command, "--quiet", "--help", capsys=capsys)
    assert code == 0 and "--quiet" in out


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert sd("no-such-command", capsys=capsys)[0] == 2
    assert sd("run", capsys=capsys)[0] == 2  # PATH and --out missing
    assert sd("run", "x", "--out", "o", "--engine", "warp", capsys=capsys)[0] == 2


def test_unknown_ids_exit_1_with_a_message(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    open_store(data_dir).close()
    code, out, err = sd("show", "deadbeef", "--data", data_dir, capsys=capsys)
    assert code == 1 and out == "" and "no article with id 'deadbeef'" in err
    code, _, err = sd("story", "nope", "--data", data_dir, capsys=capsys)
    assert code == 1 and "no story" in err
    assert "(list them with `storydesk stories`)" in err and "storys" not in err


def test_empty_store_lists_nothing_as_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    open_store(data_dir).close()
    code, out, _ = sd("articles", "--json", "--data", data_dir, capsys=capsys)
    assert code == 0 and json.loads(out) == []
    code, out, _ = sd("stories", "--json", capsys=capsys)  # STORYDESK_DATA set by the fixture
    assert code == 0 and json.loads(out) == []
    code, out, err = sd("stories", "--json", "--quiet", capsys=capsys)
    assert code == 0 and json.loads(out) == [] and err == ""


def test_main_job_on_the_seeds(seeds_run: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    data, out = seeds_run
    for name in ("stories.json", "brief.md", "report.html"):
        assert (out / name).stat().st_size > 0
    code, stdout, _ = sd("articles", "--json", "--data", data, capsys=capsys)
    rows = json.loads(stdout)
    assert code == 0 and len(rows) == 5
    assert all(set(r) >= {"id", "outlet", "title", "url", "published", "language", "story"} for r in rows)
    code, stdout, _ = sd("show", rows[0]["id"][:10], "--json", "--data", data, capsys=capsys)
    shown = json.loads(stdout)
    assert code == 0 and shown["id"] == rows[0]["id"] and shown["text"]
    assert all(set(r) >= {"text", "reason"} for r in shown["removed"])
    code, stdout, _ = sd("stories", "--json", "--data", data, capsys=capsys)
    listed = json.loads(stdout)
    assert code == 0 and listed
    code, stdout, _ = sd("story", listed[0]["id"], "--json", "--data", data, capsys=capsys)
    assert code == 0 and json.loads(stdout)["id"] == listed[0]["id"]
    code, stdout, _ = sd("export", "--data", data, capsys=capsys)
    lines = stdout.splitlines()
    assert code == 0 and len(lines) == 5 and all(json.loads(line)["text"] for line in lines)


def test_run_reports_skips_with_exit_3(tmp_path: Path) -> None:
    """A bad input is named on stderr with its reason; the good one is still processed; exit 3."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "ok.txt").write_text(
        "Bridge reopens after repairs\n\nThe old river bridge in Linz reopened on Friday after eight months "
        "of repairs, the city council said. Engineers replaced the deck and two piers.\n",
        encoding="utf-8",
    )
    (inputs / "binary.txt").write_bytes(bytes(range(256)) * 64)
    env = {**os.environ, "STORYDESK_DATA": str(tmp_path / "data")}
    proc = subprocess.run(
        [sys.executable, "-m", "storydesk", "run", str(inputs), "--out", str(tmp_path / "out"), "--quiet"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert proc.returncode == 3, proc.stderr
    assert "skipped" in proc.stderr and "binary.txt" in proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads((tmp_path / "out" / "stories.json").read_text())
    assert len(doc["stories"]) == 1


# ---------------------------------------------------------------- a CLI that never surprises (issue 24)

LONG = "a-rather-long-directory-name-that-goes-on-and-on/" * 4


@pytest.mark.parametrize("command", ["run", "ingest"])
def test_a_missing_input_is_a_usage_error_before_anything_runs(
        command: str, tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    missing = tmp_path / LONG / "nwes.jsonl"  # mistyped, long enough that wrapping would split it
    args = [command, seeds_dir, missing, "--data", data] + (["--out", out] if command == "run" else [])
    code, stdout, err = sd(*args, capsys=capsys)
    assert code == 2 and stdout == ""
    assert f"no such file or directory: {missing}" in err.splitlines()[0]  # whole, on one line
    assert not data.exists() and not out.exists()  # nothing ran: no store, no empty report


READ_COMMANDS = [["articles"], ["show", "abc"], ["export"], ["stories"], ["story", "abc"], ["cluster"], ["serve"]]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: a[0])
def test_read_commands_refuse_a_directory_without_a_store(
        args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mistyped = tmp_path / "sotre"
    code, out, err = sd(*args, "--data", mistyped, capsys=capsys)
    assert code == 1 and out == ""
    assert f"no store at {mistyped / 'storydesk.db'}: run `storydesk ingest` or `storydesk run` first" in err
    assert not mistyped.exists()  # never a new empty store


def test_serve_on_a_busy_port_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    open_store(tmp_path).close()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = sd("serve", "--port", port, "--data", tmp_path, capsys=capsys)
    assert code == 1 and out == ""
    assert f"cannot listen on 127.0.0.1 port {port}: Address already in use" in err
    assert "--port" in err and "serving" not in err


def test_serve_refuses_a_host_it_cannot_resolve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    open_store(tmp_path).close()
    code, _, err = sd("serve", "--host", "no such host!", "--data", tmp_path, capsys=capsys)
    assert code == 2 and "--host 'no such host!'" in err


@pytest.mark.parametrize("since", ["last week", "2024-13-01"])
def test_unreadable_since_is_a_usage_error(since: str, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    open_store(data_dir).close()
    code, _, err = sd("stories", "--since", since, capsys=capsys)
    assert code == 2 and "--since" in err


def test_progress_lines_with_counts_and_rates_without_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    now = [100.0]
    progress = RichProgress(quiet=False, every_s=10, clock=lambda: now[0])
    progress.stage("ingest + clean", 1452)
    for _ in range(4):
        now[0] += 6
        progress.advance(150)
    progress.stage("cluster", 600)
    now[0] += 2
    progress.advance(600)
    progress.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "ingest + clean: started, 1,452 to do",
        "ingest + clean: 300 of 1,452 in 12.0 s (25.0/s)",  # one line per 10 s, not per advance
        "ingest + clean: 600 of 1,452 in 24.0 s (25.0/s)",
        "ingest + clean: done, 600 of 1,452 in 24.0 s (25.0/s)",
        "cluster: started, 600 to do",
        "cluster: done, 600 of 600 in 2.0 s (300.0/s)",
    ]
    progress = RichProgress(quiet=False, every_s=10, clock=lambda: now[0])
    progress.stage("reports")
    now[0] += 0.25
    progress.close()
    assert capsys.readouterr().err.splitlines() == ["reports: started", "reports: done in 0.2 s"]
    quiet = RichProgress(quiet=True)
    quiet.stage("x", 1)
    quiet.advance()
    quiet.close()
    assert capsys.readouterr().err == ""


def test_ingest_without_a_terminal_prints_counts_and_rates(
        seeds_dir: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = sd("ingest", seeds_dir, capsys=capsys)
    assert code == 0 and out.startswith("5 articles read, 5 new, 0 skipped.")
    done = [line for line in err.splitlines() if line.startswith("ingest + clean: done, ")]
    assert len(done) == 1 and done[0].startswith("ingest + clean: done, 5 in ") and done[0].endswith("/s)")


def test_stories_since_yesterday_and_ids_for_scripts(
        seeds_run: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date, timedelta

    data, _ = seeds_run
    code, out, _ = sd("stories", "--json", "--data", data, capsys=capsys)
    rows = json.loads(out)
    # "yesterday" is a real date filter: it leaves out the seeds (from 2024, or undated), and says so
    code, out, err = sd("stories", "--since", "yesterday", "--json", "--data", data, capsys=capsys)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert code == 0 and json.loads(out) == []
    assert f"no stories match --since {yesterday} ({len(rows)} " in err
    # a date filter keeps exactly the dated stories in range, never an undated one
    code, out, _ = sd("stories", "--since", "2000-01-01", "--json", "--data", data, capsys=capsys)
    assert code == 0 and json.loads(out) == [r for r in rows if r["last_seen"]]
    code, out, _ = sd("stories", "--ids", "--limit", "1", "--data", data, capsys=capsys)
    assert code == 0 and out == rows[0]["id"] + "\n"
    code, out, _ = sd("story", out.strip(), "--json", "--data", data, capsys=capsys)
    assert code == 0 and json.loads(out)["id"] == rows[0]["id"]
    code, out, _ = sd("stories", "--ids", "--offset", "1", "--data", data, capsys=capsys)
    assert out.split() == [r["id"] for r in rows[1:]]
    code, out, _ = sd("articles", "--ids", "--data", data, capsys=capsys)
    assert code == 0 and len(out.split()) == 5


def test_brief_words_on_an_existing_store_rebriefs(
        seeds_run: tuple[Path, Path], seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(seeds_run[0], data)
    before = json.loads((seeds_run[1] / "stories.json").read_text(encoding="utf-8"))["stories"]

    def words(stories: list[dict]) -> int:  # type: ignore[type-arg]
        return max(sum(len(b["text"].split()) for b in s["brief"]) for s in stories)

    assert words(before) > 80  # the default, 120 words
    code, _, err = sd("run", seeds_dir, "--out", tmp_path / "out", "--brief-words", "50", "--data", data,
                      capsys=capsys)
    assert code == 0, err
    after = json.loads((tmp_path / "out" / "stories.json").read_text(encoding="utf-8"))["stories"]
    assert [s["id"] for s in after] == [s["id"] for s in before]
    assert words(after) <= 70 < words(before)
    code, out, _ = sd("story", after[0]["id"], "--json", "--data", data, capsys=capsys)
    assert json.loads(out)["brief"] == after[0]["brief"]  # the store holds the new brief too
