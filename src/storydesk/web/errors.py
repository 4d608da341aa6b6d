"""Shapes the API documents: one error shape for the whole JSON API: `{"ok": false, "error": "...", "status": N}`.

Pages get the same message as an HTML page with the same status. Which one a request gets is
decided by its path (`/api/...` and `/openapi.json` are API), never by guessing from headers.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """What every API error returns."""

    ok: bool = False
    error: str
    status: int


def error_body(status: int, error: str) -> dict[str, Any]:
    """The JSON error document (datasette's `error_body`, our fields)."""
    return {"ok": False, "error": error, "status": status}


def error_bytes(status: int, error: str) -> bytes:
    return json.dumps(error_body(status, error), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path == "/openapi.json"


# For OpenAPI: the error responses every API route may give.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Bad parameter"},
    404: {"model": ErrorBody, "description": "No such id"},
    503: {"model": ErrorBody, "description": "No store yet (run `storydesk run` first)"},
}


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (v.replace("#/$defs/", "#/components/schemas/Story_") if k == "$ref" else _rewrite_refs(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def story_components() -> dict[str, Any]:
    """The stories.json schema's definitions as OpenAPI components named `Story_<def>`."""
    from storydesk.report.json import load_schema

    defs = load_schema()["$defs"]
    return {f"Story_{name}": _rewrite_refs(d) for name, d in defs.items()}


STORY_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"description": "One story, an entry of stories.json",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Story_story"}}}},
}
