"""The command line: help on every command, exit codes, --json documents, the main job on the seeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storydesk.cli import app, main

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
    code, out, err = sd("show", "deadbeef", "--data", data_dir, capsys=capsys)
    assert code == 1 and out == "" and "no article with id 'deadbeef'" in err
    code, _, err = sd("story", "nope", "--data", data_dir, capsys=capsys)
    assert code == 1 and "no story" in err


def test_empty_store_lists_nothing_as_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
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
