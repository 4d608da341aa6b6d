"""Fixtures for the evidence-package tests: the report builders (a real store with the seed story
and a hostile story, no pipeline run) and the browser helpers, both loaded by path as tests/web does."""

import importlib.util
import sys
from pathlib import Path

for _name, _path in (("storydesk_test_builders", Path(__file__).parents[1] / "report" / "builders.py"),
                     ("storydesk_test_browsing", Path(__file__).parents[1] / "web" / "browsing.py")):
    if _name not in sys.modules:
        _spec = importlib.util.spec_from_file_location(_name, _path)
        assert _spec and _spec.loader
        _mod = importlib.util.module_from_spec(_spec)
        sys.modules[_name] = _mod
        _spec.loader.exec_module(_mod)

from storydesk_test_builders import evil_set, filled_data, seed_set  # noqa: E402, F401
