"""RSS and Atom feeds -> one `RawDocument` per entry.

feedparser reads the feed (it sanitises entry HTML and copes with ill-formed XML); storydesk
adds a guard against entity-expansion attacks ("billion laughs", quadratic blow-up): a feed that
declares XML entities in its DOCTYPE is checked with defusedxml first and skipped as "bad-feed"
if it does. Each entry gives title, link (as url), published (ISO 8601 UTC), author, outlet (the
feed's title), language (entry's, else the feed's) and text: the entry's content (else its
summary) with tags stripped and paragraphs kept one per line. An entry whose content is a whole
web page goes to the HTML reader instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urljoin

from storydesk.ingest._common import html_document, language_code, text_or_none, without_nul
from storydesk.ingest.dates import PUBLISHED_FEED, from_struct_time, normalise_date
from storydesk.records import Provenance, RawDocument, Skip
from storydesk.settings import Settings

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
# `[^<>]*`, not `[^>]*`: with the latter, text holding many "<" and no ">" costs quadratic time.
_ESCAPED_MARKUP = re.compile(r"<!--|</?(?:p|div|span|a|br|em|strong|b|i|ul|ol|li|img|table)\b[^<>]*>", re.I)
_FULL_PAGE = re.compile(r"<(?:html|body)\b", re.I)
_HAS_TAG = re.compile(r"<[A-Za-z!/][^<>]*>")
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
})
_DROP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed"})
# Markup tags (counted as "<" and "&lt;") above which feedparser's per-tag SGML passes are skipped.
# The largest real feed in ../shared/data (giantbomb-podcast.rss, 1.6 MB) has 19,771; 50,000 cost
# about 1 s on the shared 2-core box (measured with iter_feed on a synthetic feed of <p> tags).
MAX_FEED_TAGS = 50_000


def entity_attack(data: bytes) -> str | None:
    """Why the feed is refused (entity declarations), or None when it declares no entities."""
    # The whole document, not its start: comments may pad the prolog before the DOCTYPE.
    # (A regex over 20 MB of bytes takes ~10 ms.)
    if not _ENTITY_DECL.search(data):
        return None
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException

    try:
        safe_et.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        return (
            f"the feed declares XML entities ({type(exc).__name__}); storydesk refuses them "
            "because they allow entity-expansion attacks"
        )
    except Exception:  # ill-formed XML: defusedxml stops before any entity is expanded
        return "the feed declares XML entities in an ill-formed document"
    return None


def html_to_text(html: str) -> str:
    """Text of an HTML fragment, one paragraph per line (block elements and <br> break lines).

    Markup escaped twice (reddit's feeds put `&lt;p&gt;` inside HTML content) is unwrapped by a
    second pass when the first leaves real HTML tags behind.
    """
    text = _html_to_text(html)
    if _ESCAPED_MARKUP.search(text):
        text = _html_to_text(text)
    return text


def _html_to_text(html: str) -> str:
    if not _HAS_TAG.search(html):
        import html as html_lib

        return _tidy(html_lib.unescape(html))
    import lxml.html
    from lxml import etree

    from storydesk.ingest.html import MAX_DEPTH, flatten_deep, nesting_depth

    if nesting_depth(html) > MAX_DEPTH:
        # libxml2 silently returns an empty tree past depth 255; flatten the wrappers first.
        html = flatten_deep(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError, AssertionError):
        # AssertionError: lxml asserts "too many bodies" on some broken pages (found by fuzz_feed.py).
        return _tidy(re.sub(r"<[^>]+>", " ", html))
    parts: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag.lower() in _DROP:
            if el.tail:
                parts.append(el.tail)
            return
        block = tag.lower() in _BLOCK
        if block:
            parts.append("\n")
        if tag.lower() == "br":
            parts.append("\n")
        if isinstance(el.tag, str) and el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
        if block:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(root)
    return _tidy("".join(parts))


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _best_content(entry: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """(value, mime type, language) of the entry's fullest content, else its summary."""
    candidates: list[Mapping[str, Any]] = list(entry.get("content") or [])
    detail = entry.get("summary_detail")
    if detail:
        candidates.append(detail)
    elif entry.get("summary"):
        candidates.append({"value": entry["summary"], "type": "text/html"})
    best: Mapping[str, Any] | None = None
    for c in candidates:
        value = c.get("value") or ""
        if best is None or len(value) > len(best.get("value") or ""):
            best = c
    if best is None:
        return "", "text/plain", None
    return best.get("value") or "", (best.get("type") or "text/html").lower(), best.get("language")


def entry_document(
    entry: dict[str, Any], feed: Mapping[str, Any], index: int, source: str, fmt: str,
    settings: Settings, fetched: str | None = None,
) -> RawDocument | Skip:
    """One feedparser entry -> RawDocument, or a Skip naming "<source> entry <index>"."""
    where = f"{source} entry {index}"
    value, mime, content_lang = _best_content(entry)
    value = value.replace("\x00", "")  # raw NULs survive feedparser's loose parser
    title = text_or_none(entry.get("title"))
    if title and _HAS_TAG.search(title):
        title = text_or_none(html_to_text(title))
    # dict.get, not entry.get: feedparser's own get() maps a missing "updated*" key to
    # "published*" with a DeprecationWarning.
    published = from_struct_time(dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed"))
    language = language_code(content_lang) or language_code(feed.get("language"))
    if published is None:
        published = normalise_date(dict.get(entry, "published") or dict.get(entry, "updated"), language)
    meta: dict[str, Any] = {  # RawDocument fields (str or None)
        "title": title,
        "outlet": text_or_none(feed.get("title")),
        "author": text_or_none(entry.get("author")),
        "published": published,
        "language": language,
    }
    url = text_or_none(entry.get("link"))
    base = text_or_none(feed.get("link"))
    if url and base and "://" not in url and base.startswith(("http://", "https://")):
        url = urljoin(base, url)  # a relative link with no xml:base: resolve against the site
    how = PUBLISHED_FEED if published else None
    prov = Provenance(source=source, fmt=fmt, locator=f"entry {index}", fetched=fetched, published_from=how)
    if "html" in mime and _FULL_PAGE.search(value[:5000]):
        return html_document(value, prov, settings, where, url=url, meta={**meta, "published_from": how})
    text = html_to_text(value) if ("html" in mime or _HAS_TAG.search(value)) else _tidy(value)
    if not text.strip():
        if url:
            return Skip(where, "no-text", "the entry has a link but no text; ingest the linked page instead")
        return Skip(where, "no-text", "the entry has no text")
    html = value if "html" in mime else None
    return without_nul(RawDocument(provenance=prov, text=text, html=html, url=url, **meta))


def iter_feed(
    data: bytes, source: str, settings: Settings, response_headers: Mapping[str, str] | None = None,
    fetched: str | None = None,
) -> Iterator[RawDocument | Skip]:
    """Parse a whole feed document (bytes) into one RawDocument or Skip per entry."""
    refused = entity_attack(data)
    if refused:
        yield Skip(source, "bad-feed", refused)
        return
    import feedparser

    # feedparser's sanitizer and relative-URI passes run a pure-Python SGML parser over every
    # entry's HTML: ~20 µs a tag, 24 s for a 3 MB feed of tags. Past MAX_FEED_TAGS they are left
    # out (the text is taken with lxml either way and article HTML is never shown unescaped).
    heavy = data.count(b"<") + data.count(b"&lt;") > MAX_FEED_TAGS
    # Bytes, never a str: feedparser fetches a str that looks like a URL or opens it as a path.
    try:
        parsed = feedparser.parse(
            bytes(data),
            response_headers=dict(response_headers or {}),
            resolve_relative_uris=not heavy,
            sanitize_html=not heavy,
        )
    except Exception as exc:  # feedparser's own bugs on hostile input, e.g. UnicodeEncodeError on
        # "&#XD800;" (a surrogate reference; found by tests/fuzz/test_fuzz_structured.py)
        yield Skip(source, "bad-feed", f"feedparser cannot read it ({type(exc).__name__}: {exc})")
        return
    feed = parsed.get("feed") or {}
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo") and not feed:
            bozo = parsed.get("bozo_exception")
            yield Skip(source, "bad-feed", f"not a readable RSS/Atom feed ({type(bozo).__name__}: {bozo})")
        else:
            yield Skip(source, "no-text", "the feed has no entries")
        return
    version = str(parsed.get("version") or "")
    fmt = "atom" if version.startswith("atom") else "rss"
    for i, entry in enumerate(entries, 1):
        yield entry_document(entry, feed, i, source, fmt, settings, fetched)


def iter_json_feed(feed: dict[str, Any], source: str, settings: Settings) -> Iterator[RawDocument | Skip]:
    """A JSON Feed (jsonfeed.org, versions 1 and 1.1) -> one RawDocument or Skip per item."""
    items = feed.get("items")
    if not isinstance(items, list) or not items:
        yield Skip(source, "no-text", "the JSON feed has no items")
        return
    outlet = text_or_none(feed.get("title"))
    for i, item in enumerate(items, 1):
        published = normalise_date(item.get("date_published") or item.get("date_modified"))
        where = f"{source} entry {i}"
        if not isinstance(item, dict):
            yield Skip(where, "bad-record", "a JSON Feed item must be an object")
            continue
        html = item.get("content_html") if isinstance(item.get("content_html"), str) else None
        text = item.get("content_text") if isinstance(item.get("content_text"), str) else None
        text = text.replace("\x00", "") if text else text
        if not text:
            text = html_to_text(html) if html else text_or_none(item.get("summary"))
        if not text or not text.strip():
            yield Skip(where, "no-text", "the item has no content_text, content_html or summary")
            continue
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        author = next((text_or_none(a.get("name")) for a in authors if isinstance(a, dict)), None)
        yield without_nul(RawDocument(
            provenance=Provenance(source=source, fmt="jsonfeed", locator=f"entry {i}",
                                  published_from=PUBLISHED_FEED if published else None),
            text=text,
            html=html,
            url=text_or_none(item.get("url") or item.get("external_url")),
            outlet=outlet,
            title=text_or_none(item.get("title")),
            published=published,
            language=language_code(item.get("language") or feed.get("language")),
            author=author,
        ))


__all__ = ["entity_attack", "entry_document", "html_to_text", "iter_feed", "iter_json_feed"]
