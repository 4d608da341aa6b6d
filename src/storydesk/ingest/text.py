"""Plain-text articles -> `RawDocument`, with the headline and outlet found on the first lines.

Saved articles often start with a site-name line ("Name – tagline | news | sport", "Name |
tagline") and/or a headline (a short line without a sentence-final period, followed by body
paragraphs). Both are detected here and set as `outlet` and `title`, but the text is kept whole:
cleaning removes those lines from the body and records each cut in its audit.
"""

from __future__ import annotations

import re

from storydesk.ingest.titles import is_headline
from storydesk.records import Provenance, RawDocument

# How far down the file a headline or site-name line may sit (non-empty lines): below a
# site-name line and a stray CMS token, a headline is at most the third line.
MAX_HEADER_LINES = 4
# A headline is short: news headlines run 3-20 words (well under 200 characters); the longest
# expected title on news-html-newspaper4k has 20 (cnn_001). 22 leaves a margin, while a lead
# sentence that lost its period (ECB+ train texts, 23-25 words) stays body.
TITLE_MIN_WORDS, TITLE_MAX_WORDS, TITLE_MAX_CHARS = 3, 22, 200
# Set apart by a blank line, two words make a headline ("Power cut"); one is a section label.
SHORT_TITLE_MIN_WORDS = 2
_SENTENCE_END = re.compile(r"[.。;,:]\s*[\"'”’)]*\s*$")
# "Name – tagline ..." or "Name | tagline ...": a short name, then a dash or a pipe.
_SITE_DASH = re.compile(r"^(?P<name>[^|–—]{2,60}?)\s+[–—-]\s+(?P<rest>.+)$")
_SITE_PIPE = re.compile(r"^(?P<name>[^|]{2,60}?)\s*\|\s*(?P<rest>.+)$")
_MD_HEADING = re.compile(r"^#{1,3}\s+")
_LETTER_START = re.compile(r"^[\W_]*[^\W\d_]|^\d", re.U)


def _words(line: str) -> list[str]:
    return line.split()


def _is_body(line: str) -> bool:
    """A body paragraph: a sentence of prose, or a line too long to be a header."""
    n = len(_words(line))
    return n > TITLE_MAX_WORDS or len(line) > TITLE_MAX_CHARS or (
        n >= 5 and bool(_SENTENCE_END.search(line))
    )


def _is_title(line: str, min_words: int = TITLE_MIN_WORDS) -> bool:
    words = _words(line)
    if not min_words <= len(words) <= TITLE_MAX_WORDS or len(line) > TITLE_MAX_CHARS:
        return False
    if not is_headline(line):  # a dateline, a byline or a label in capitals
        return False
    if _SENTENCE_END.search(line) or "|" in line:
        return False
    if not _LETTER_START.match(line):
        return False
    first = line.lstrip("\"'“‘([ ")[:1]
    # Headlines start with a capital (or a digit); a lower-case start is a fragment or a token.
    return bool(first) and (first.isupper() or first.isdigit() or not first.isalpha())


def _site_name(line: str, above_title: bool = False) -> str | None:
    """The outlet name of a site-name/tagline line, or None when `line` is not one.

    "Name – tagline" needs either pipes after it or a slogan-like tagline, unless the line sits
    above a headline (then nothing else it could be).
    """
    if len(line) > 250 or _SENTENCE_END.search(line):
        return None
    m = _SITE_DASH.match(line)
    if m is None or not (above_title or "|" in m.group("rest") or _tagline_like(m.group("rest"))):
        m = _SITE_PIPE.match(line)
    if m is None:
        return None
    name = m.group("name").strip(" -–—|")
    words = _words(name)
    if not 1 <= len(words) <= 6 or (not name[:1].isupper() and not name[:1].isdigit()):
        return None
    return name


def _tagline_like(rest: str) -> bool:
    """A slogan after "Name – ": lower-case start ("we cover the nation") and short."""
    return rest[:1].islower() and len(_words(rest)) <= 12


def find_header(text: str) -> tuple[str | None, str | None]:
    """(title, outlet) found on the first lines of a plain-text article; None where absent.

    The header is the run of non-empty lines above the first body paragraph. The headline is
    the first header line that reads like one (not a site-name line set apart above it, a
    dateline, a byline or a label); a site-name line above it gives the outlet. A lone
    "Headline | Outlet" line is split in two.

    Example:
        >>> find_header("Daily Sun | all the news\n\nFloods hit the north\nHeavy rain fell on ...")
        ('Floods hit the north', 'Daily Sun')
    """
    header: list[str] = []
    apart: list[bool] = []  # header line i is followed by a blank line
    has_body = False
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if _MD_HEADING.match(line):
            line = _MD_HEADING.sub("", line)  # "# Headline" in Markdown notes
        if not line:
            if apart:
                apart[-1] = True
            continue
        if _is_body(line):
            has_body = True
            break
        header.append(line)
        apart.append(False)
        if len(header) > MAX_HEADER_LINES:
            return None, None  # a list, a poem or a table: not a header above a body
    if not has_body or not header:
        return None, None
    # A short line set apart by a blank line below it ("Power cut\n\nThe lights went out ...")
    # is a headline even at two words; without the blank line it may be a section label.
    candidates = [i for i in range(len(header))
                  if _is_title(header[i], SHORT_TITLE_MIN_WORDS if apart[i] else TITLE_MIN_WORDS)]
    # The first headline-shaped line is the headline: a standfirst or a second deck follows it
    # (ECB+ train texts: "Ellen DeGeneres to host Oscars in 2014" above "This will be second time
    # hosting ..."). A site-name line set apart above another candidate ("The Tribune – Voice of
    # the Valley", blank line, headline) is passed over.
    title_at = next((i for k, i in enumerate(candidates)
                     if not (k + 1 < len(candidates) and apart[i] and _site_name(header[i], above_title=True))),
                    None)
    title = header[title_at] if title_at is not None else None
    outlet = None
    if title is None:
        # A lone "Headline | Outlet" line (the way page titles are written).
        for line in header:
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 2 and _is_title(parts[0]) and 1 <= len(_words(parts[1])) <= 5:
                return parts[0], parts[1]
    for line in header[: title_at if title_at is not None else len(header)]:
        outlet = _site_name(line, above_title=title is not None)
        if outlet is not None:
            break
    return title, outlet


def parse_text(text: str, provenance: Provenance) -> RawDocument:
    """A decoded plain-text article -> RawDocument with `title`/`outlet` set when found.

    NUL characters (a few survive in otherwise good text) are dropped: SQLite and most tools
    treat them as the end of a string.
    """
    text = text.replace("\x00", "")
    title, outlet = find_header(text)
    return RawDocument(provenance=provenance, text=text, title=title, outlet=outlet)


__all__ = ["find_header", "parse_text"]
