"""Fixtures for the web tests: the builders live in tests/report/builders.py (loaded by path)."""

import importlib.util
import sys
from pathlib import Path

_NAME = "storydesk_test_builders"
if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).parents[1] / "report" / "builders.py")
    assert _spec and _spec.loader
    _mod = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _mod
    _spec.loader.exec_module(_mod)

from storydesk_test_builders import evil_set, filled_data, seed_set, seeds_run  # noqa: E402, F401
