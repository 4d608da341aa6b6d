"""Fetch one http(s) input (a feed URL, or a page) with a time and size bound.

Only the URLs the user names are fetched; entries' links are never followed (storydesk is not a
crawler). The body is read in chunks and abandoned past `settings.max_bytes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from storydesk.errors import InputError, TooLarge
from storydesk.ingest.dates import format_datetime
from storydesk.settings import Settings

if TYPE_CHECKING:
    import httpx

# Generous for one feed or page, short enough that a dead host does not stall a run.
TIMEOUT_S = 20.0
USER_AGENT = "storydesk (+https://github.com/storydesk; news cross-checking)"


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched body with what the server said about it."""

    url: str  # after redirects
    body: bytes
    content_type: str | None
    fetched: str | None  # ISO time of the fetch
    # The status line and headers as received (latin-1, CRLF lines), for the evidence package's
    # WARC response record; the body is after httpx undid any Content-Encoding.
    http_headers: str | None = None


def fetch(url: str, settings: Settings) -> Fetched:
    """GET `url` (redirects followed); raise InputError ("not-found", "too-large") on failure."""
    from datetime import UTC, datetime

    import httpx

    try:
        with (
            httpx.Client(timeout=TIMEOUT_S, follow_redirects=True,
                         headers={"User-Agent": USER_AGENT}) as client,
            client.stream("GET", url) as resp,
        ):
            if resp.status_code >= 400:
                raise InputError("not-found", f"the server answered HTTP {resp.status_code}")
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > settings.max_bytes:
                raise TooLarge("too-large", _limit_detail(int(declared), settings.max_bytes))
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > settings.max_bytes:
                    raise TooLarge("too-large", _limit_detail(size, settings.max_bytes, more=True))
                chunks.append(chunk)
            return Fetched(
                url=str(resp.url),
                body=b"".join(chunks),
                content_type=resp.headers.get("Content-Type"),
                fetched=format_datetime(datetime.now(UTC)),
                http_headers=_header_block(resp),
            )
    except httpx.HTTPError as exc:
        raise InputError("not-found", f"could not fetch it ({type(exc).__name__}: {exc})") from exc


def _header_block(resp: httpx.Response) -> str:
    head = f"{resp.http_version} {resp.status_code} {resp.reason_phrase}\r\n"
    return head + "".join(f"{k.decode('latin-1')}: {v.decode('latin-1')}\r\n" for k, v in resp.headers.raw)


def _limit_detail(size: int, limit: int, more: bool = False) -> str:
    at_least = "more than " if more else ""
    return (f"the response is {at_least}{size:,} bytes, over the limit of {limit:,} bytes "
            f"(settings.max_bytes); raise it with STORYDESK_MAX_BYTES={size * 2}")


__all__ = ["Fetched", "fetch"]
