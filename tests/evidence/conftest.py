"""Fixtures for the evidence-package tests: the report builders (a real store with the seed story
and a hostile story, no pipeline run); tests/conftest.py loads them and the browser helpers."""

from storydesk_test_builders import evil_set, filled_data, seed_set  # noqa: F401
