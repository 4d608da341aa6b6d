"""Helpers shared by the format readers: calling the HTML reader, turning errors into Skips."""

from __future__ import annotations

from typing import Any

from storydesk.errors import InputError
from storydesk.records import Provenance, RawDocument, Skip
from storydesk.settings import Settings

# The HTML reader's own reason words, mapped onto ingest's skip vocabulary.
_REASONS = {"undecodable": "bad-encoding"}


def skip_from(source: str, exc: InputError) -> Skip:
    """The Skip for an InputError raised while reading `source`."""
    return Skip(source=source, reason=_REASONS.get(exc.reason, exc.reason), detail=exc.detail)


def too_large(source: str, size: int, limit: int, what: str = "file") -> Skip:
    """The Skip for an input over `settings.max_bytes`, saying how to raise the limit."""
    return Skip(
        source=source,
        reason="too-large",
        detail=f"the {what} is {size:,} bytes, over the limit of {limit:,} bytes "
        f"(settings.max_bytes); raise it with STORYDESK_MAX_BYTES={max(size, limit) * 2}",
    )


def html_document(
    html: str | bytes,
    provenance: Provenance,
    settings: Settings,
    source: str,
    url: str | None = None,
    meta: dict[str, Any] | None = None,
) -> RawDocument | Skip:
    """Run the HTML reader on one page; its InputErrors become a Skip naming `source`."""
    from storydesk.ingest.html import parse_html

    clean_meta = {k: v for k, v in (meta or {}).items() if v}
    try:
        return parse_html(html, provenance, settings, url=url, meta=clean_meta or None)
    except InputError as exc:
        return skip_from(source, exc)


def language_code(value: Any) -> str | None:
    """"en-US" / "en_gb" / "EN" -> "en"; None for anything that is not a language tag."""
    if not isinstance(value, str):
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if len(code) in (2, 3) and code.isalpha() else None


def text_or_none(value: Any) -> str | None:
    """A stripped, whitespace-collapsed string, or None for empty or non-string values."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None
