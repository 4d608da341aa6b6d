"""Fixtures for the report tests; the builders are shared with tests/web (tests/conftest.py loads them)."""

from storydesk_test_builders import evil_set, filled_data, seed_set, seeds_run  # noqa: F401
