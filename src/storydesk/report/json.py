"""Build and write `stories.json`: `{"schema_version", "generated", "stories": [...]}`.

Each story is `Story.to_dict()`, validated by `storydesk/schema/stories.schema.json`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storydesk.records import Story

# Bump the minor version when fields are added, the major one if any is renamed or removed
# (the contract forbids that); the schema file's $id and "version" carry the same number.
SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schema" / "stories.schema.json"


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def stories_document(stories: Sequence[Story], generated: str | None = None) -> dict[str, Any]:
    """The `stories.json` document for `stories` (in the order given)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generated": generated or now_iso(),
        "stories": [s.to_dict() for s in stories],
    }


def write_json(stories: Sequence[Story], path: Path, generated: str | None = None) -> Path:
    """Write `stories.json` to `path` (UTF-8, indented, written whole then renamed into place)."""
    doc = stories_document(stories, generated)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load_schema() -> dict[str, Any]:
    """The packaged JSON Schema of `stories.json`."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema
