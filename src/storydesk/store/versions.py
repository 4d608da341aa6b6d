"""Which stored articles are versions of one page, and how the store reads story history.

An article's id comes from its content (where it was published + its text), so re-ingesting a
URL whose text changed stores a second article. `article_identity` names the page both were read
from; the store keeps every version (each with the time it was first seen) and marks the older
ones `superseded_by` the newest, which is the only one a story reads (issue 25).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from storydesk.records import Record


def article_identity(url: str | None) -> str | None:
    """The page an article was read from, as a key shared by all its versions; None for none.

    The URL with its scheme and host lower-cased and its fragment dropped (`#comments` is the
    same page). A URL that names a site's front page (no path, no query) gives None: a
    misconfigured canonical link points many articles at "/", and treating those as versions of
    one page would drop all but one of them from their stories. Without a URL (a text file, a
    JSONL line without `url`) there is no identity: file names are too often reused
    (`index.html`) to stand for a page.

    Example:
        >>> article_identity("HTTPS://News.Example/2024/quake#top")
        'https://news.example/2024/quake'
        >>> article_identity("https://news.example/") is None
        True
    """
    url = (url or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced "[" in the host: still a name the input gave the page
        return url
    if not parts.netloc:
        return url
    if parts.path.strip("/") == "" and not parts.query:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


@dataclass(frozen=True, slots=True)
class ArticleVersion(Record):
    """One stored version of a page: its article id, when it was first seen, which is newest."""

    id: str
    identity: str | None
    seen: str  # when this text was first ingested (ISO, UTC)
    fetched: str | None = None  # when the page was fetched, where the input says (WARC-Date)
    superseded_by: str | None = None  # the newest version's id; None: this is the newest
    outlet: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class StoryVersionInfo(Record):
    """One kept analysis of a story: its number (1, 2, ...) and when it was made (ISO, UTC)."""

    story: str
    version: int
    analysed_at: str


__all__ = ["ArticleVersion", "StoryVersionInfo", "article_identity"]
