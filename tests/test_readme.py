"""The README's examples run as written: the CLI tour (every line but `serve`) and the Python API block.

Each runs in a fresh directory whose `../shared` is the shared data (the README's commands are
written from the repository root, beside `../shared`), with `.venv/bin` first on PATH and a fresh
STORYDESK_DATA, so they cannot lean on anything this checkout holds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

pytestmark = pytest.mark.slow


def block(heading: str, lang: str) -> str:
    """The first ```lang block under the README's `## heading`."""
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    m = re.search(rf"```{lang}\n(.*?)```", section, re.S)
    assert m, f"no {lang} block under ## {heading}"
    return m.group(1)


@pytest.fixture()
def sandbox(tmp_path: Path, shared_dir: Path) -> tuple[Path, dict[str, str]]:
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "shared").symlink_to(shared_dir)
    env = {**os.environ, "STORYDESK_DATA": str(tmp_path / "data"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return work, env


def test_the_cli_tour_runs(sandbox: tuple[Path, dict[str, str]]) -> None:
    work, env = sandbox
    lines = [ln.split("  #")[0].strip() for ln in block("A short tour", "sh").splitlines()]
    commands = [ln for ln in lines if ln and not ln.startswith("storydesk serve")]
    assert len(commands) >= 9
    for command in commands:
        proc = subprocess.run(["bash", "-c", f"set -eo pipefail; {command}"], cwd=work, env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, (command, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr, command
    assert (work / "out" / "report.html").exists() and (work / "articles.jsonl").stat().st_size > 0


def test_the_python_api_example_runs(sandbox: tuple[Path, dict[str, str]]) -> None:
    work, env = sandbox
    proc = subprocess.run([sys.executable, "-c", block("Python API", "python")], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout.splitlines()
    assert " articles, " in out[0] and out[1].startswith("- ")
    assert (work / "newsroom-data" / "storydesk.db").exists()
