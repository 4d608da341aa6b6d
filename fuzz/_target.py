"""Shared main() for the atheris targets in this folder (each file is a thin wrapper).

Every target calls one entry point of `storydesk.ingest.fuzz`, the same functions the hypothesis
tests in tests/fuzz/ call, so a crash found here replays there and vice versa. A broken invariant
raises `BrokenInvariant`; atheris then stops and writes the input to `crash-<sha1>`.

Run one with a bounded number of inputs and a per-input time limit, optionally over a seed corpus
made by seed_corpus.py:
    .venv/bin/python fuzz/fuzz_jsonl.py -atheris_runs=20000 -timeout=10 -rss_limit_mb=4096
    .venv/bin/python fuzz/fuzz_jsonl.py -atheris_runs=20000 /tmp/corpus/jsonl
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

import atheris

# Choices a target takes from the input's first byte (a declared charset, a language, a name).
CHARSETS = (None, "utf-8", "latin-1", "windows-1252", "utf-16", "shift_jis", "koi8-r", "bogus", "gb2312")
LANGUAGES = (None, "en", "fr", "de", "es", "pt", "ru", "tr", "zz")
NAMES = ("input", "a.txt", "a.html", "a.jsonl", "a.warc", "a.warc.gz", "a.rss", "a.atom", "a.xml", "a.gz")


def pick(data: bytes, choices: tuple[object, ...]) -> tuple[object, bytes]:
    """(a choice picked by the first byte, the rest of the input)."""
    if not data:
        return choices[0], data
    return choices[data[0] % len(choices)], data[1:]


def load(modules: tuple[str, ...], third_party: tuple[str, ...] = ()) -> Any:
    """Import `modules` instrumented for coverage (storydesk and `third_party` packages only:
    instrumenting everything makes each input ~10x slower); return storydesk.ingest.fuzz."""
    with atheris.instrument_imports(include=["storydesk", *third_party]):
        for name in modules:
            importlib.import_module(name)
        from storydesk.ingest import fuzz
    # Warm up outside the clock: the first HTML page imports trafilatura (seconds on a busy box),
    # which libFuzzer's -timeout would otherwise report as a hang.
    fuzz.fuzz_input(b"<html><body><p>Officials said the strikes hit several villages.</p></body></html>", "a.html")
    return fuzz


def main(test_one_input: Callable[[bytes], None]) -> None:
    """Fuzz `test_one_input` with atheris, arguments from the command line (libFuzzer's)."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
