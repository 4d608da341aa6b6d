"""Outlet names: the one rule for which outlet an article is from, applied once when it is stored.

Every article leaves cleaning with a non-empty, human-readable `outlet`, so the CLI, the JSON
shapes, the web app and the reports all print the same stored value and need no fallback of
their own. The name is, in this order of trust:

1. `site-name`: the site name the input states: a JSONL `outlet`, a feed's title, a page's
   og:site_name / application-name / JSON-LD publisher / trafilatura's site name;
2. `chrome`: a site name that the page's own chrome states (a "Name – tagline | news | sport"
   line, "contribute to Name, Inc."), found by cleaning;
3. `domain`: the registered domain of the article's URL ("https://edition.cnn.com/x" ->
   "cnn.com"), from the Public Suffix List that tldextract bundles (never fetched);
4. `file`: the input file's name, with the item inside it for JSONL lines, feed entries and
   WARC records ("news.jsonl line 3"): two unrelated items of one file are never taken for one
   outlet (cross-check counts outlets, and outlet templates are learned per outlet).

A candidate that is not a name is passed over: empty, no letter in it ("11" and "27" were read as
outlets off datelines such as "11 / 28 / 05"), a date, a URL (its domain is used instead), or
longer than `MAX_NAME_CHARS`.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from storydesk.records import Provenance

# Outlet names run to a few words ("The Times of India", "Süddeutsche Zeitung"); 80 characters
# leaves room for long legal names while a sentence or a page title mistaken for a name is cut.
MAX_NAME_CHARS = 80
_LETTER = re.compile(r"[^\W\d_]", re.U)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
# A bare host given as a site name ("www.example.com"): read it as a URL.
_BARE_HOST = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)+/?$", re.U)
_DIGITS = re.compile(r"\d")

# How each outlet was found (kept in `Provenance.outlet_from`).
SITE_NAME, CHROME, DOMAIN, FILE = "site-name", "chrome", "domain", "file"


@functools.lru_cache(maxsize=1)
def _extractor() -> Any:
    """tldextract with its bundled suffix list only: no download, no cache directory written."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)


def domain_name(url: str | None) -> str | None:
    """A readable outlet name from a URL: its registered domain, lower case, IDNA decoded.

    A host under a suffix the Public Suffix List lacks (".example", an intranet name) is its own
    name; None for an IP address, "localhost" or a URL without a host.

    Example:
        >>> domain_name("https://www.bbc.co.uk/news/world-1")
        'bbc.co.uk'
    """
    if not url or not isinstance(url, str):
        return None
    text = url.strip()
    if not _SCHEME.match(text):
        text = "http://" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:  # "http://[::1" and other broken authorities
        return None
    if not host:
        return None
    parts = _extractor()(host)
    if parts.domain and parts.suffix:
        name = f"{parts.domain}.{parts.suffix}".lower()
    elif "." in host and _LETTER.search(host) and not _is_ip(host):
        # A suffix the list does not know (".example", an intranet name): the host itself.
        name = host.lower().removeprefix("www.")
    else:
        return None
    if "xn--" in name:
        # keep the punycode form when it does not decode: still readable, still that site's
        with contextlib.suppress(UnicodeError, ValueError):
            name = name.encode("ascii").decode("idna")
    return name


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def outlet_name(value: object) -> str | None:
    """`value` as an outlet name, or None when it is not one (see the module doc).

    A URL or a bare host becomes its registered domain.

    Examples:
        >>> outlet_name("  The   Valley Tribune ")
        'The Valley Tribune'
        >>> outlet_name("11") is None, outlet_name("https://www.example.co.uk/")
        (True, 'example.co.uk')
    """
    if not isinstance(value, str):
        return None
    name = " ".join(value.replace("\x00", "").split()).strip(" |-–—:;,")
    if not name:
        return None
    if _SCHEME.match(name) or _BARE_HOST.match(name):
        return domain_name(name)
    if " | " in name:
        # "LinkNaija | Nigeria's popular news platform": a site name with its tagline after a
        # pipe (og:site_name written like a page title); the name comes first.
        name = name.split(" | ", 1)[0].strip(" -–—:;,")
    if not _LETTER.search(name) or len(name) > MAX_NAME_CHARS:
        return None
    if _DIGITS.search(name) and _is_date(name):
        return None
    return name


def _is_date(text: str) -> bool:
    from storydesk.ingest.dates import is_dateline

    return is_dateline(text, places=False)


def is_bad_outlet(value: object) -> bool:
    """True for a stored outlet that breaks the rule: missing, empty or without a letter."""
    return not isinstance(value, str) or not value.strip() or not _LETTER.search(value)


def file_outlet(provenance: Provenance | None) -> str | None:
    """The input's own name as an outlet: the file's name, plus the item inside it if any.

    For an input fetched from a URL the source is that URL, and its domain is the name.
    """
    if provenance is None or not provenance.source:
        return None
    source = provenance.source
    if _SCHEME.match(source):
        name = domain_name(source) or source
    else:
        name = re.split(r"[\\/]", source.rstrip("\\/"))[-1] or source
    name = " ".join(name.split())
    if provenance.locator:
        name = f"{name} {provenance.locator}"
    return name or None


def resolve_outlet(
    stated: str | None, inferred: list[str], url: str | None, provenance: Provenance | None
) -> tuple[str | None, str | None]:
    """(outlet, how it was found) for one article, by the module's order of trust.

    Args:
        stated: the site name its input gave (feed, page, JSONL field), if any.
        inferred: site names its chrome states, best first.
        url: the article's URL.
        provenance: where it was read from (for the file-name fallback).

    Returns `(None, None)` only for a document with no name, URL or source at all.
    """
    name = outlet_name(stated)
    if name:
        return name, SITE_NAME
    for guess in inferred:
        name = outlet_name(guess)
        if name:
            return name, CHROME
    name = domain_name(url)
    if name:
        return name, DOMAIN
    name = file_outlet(provenance)
    if name:
        return name, FILE
    return None, None


def display_outlet(outlet: str | None, url: str | None = None, article_id: str | None = None) -> str:
    """The outlet to print for an article: one rule for the CLI, web pages, JSON and reports.

    Articles stored since issue 23 always carry a readable outlet, printed as is. An article
    stored earlier may have none: then its URL's domain, else "article <first 8 of its id>".
    """
    name = outlet_name(outlet) if outlet else None
    if name:
        return name
    if outlet and outlet.strip() and _LETTER.search(outlet):
        return " ".join(outlet.split())
    return domain_name(url) or (f"article {article_id[:8]}" if article_id else "unknown outlet")


def shown_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """An article's JSON row (`articles --json`, `show --json`, the web API) with its outlet as
    `display_outlet` prints it, so no JSON shows null where the pages show a name."""
    return {**row, "outlet": display_outlet(row.get("outlet"), row.get("url"), row.get("id"))}


__all__ = ["display_outlet", "domain_name", "file_outlet", "is_bad_outlet", "outlet_name", "resolve_outlet",
           "shown_row"]
