"""Titles: a title is a headline, never a dateline, a byline, a section label or a date.

Every title an article gets (a JSONL or feed `title`, a page's <title>/h1/og:title, a headline
line found in plain text) passes `clean_title`: whitespace collapsed, the outlet's name cut from
either end of a page title ("Floods hit the north | The Tribune"), refused when it is a date or
a byline, and cut on a word with an ellipsis past `TitleRules.max_chars`. Lines found in a text's
lead are held to more (`is_headline`): at least two words, and not a one-to-three-word label in
capitals ("THE WHITE HOUSE", "WORLD"). `shorten` is the one way to cut any title for display.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storydesk.ingest.dates import is_dateline

# "By Jane Doe", "Par Jean Dupont, AFP", "Von Anna Schmidt und Max Weber", "Por Ana Pérez |".
BYLINE = re.compile(
    r"^(?i:by|par|von|por|de)\s+(?P<a>[A-ZÀ-Ý][\w'.-]+(?:\s+(?:and|et|und|y|[A-ZÀ-Ý][\w'.-]+)){0,6})"
    r"\s*(?:[,|–—-].*)?$"
)
_LETTER = re.compile(r"[^\W\d_]", re.U)
_WORD = re.compile(r"\w+", re.U)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Separators between a page title and the site's name: "Headline | Site", "Site - Headline".
_AFFIX_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", ": ", " · ", " » ")
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class TitleRules:
    """Title limits. 300 characters: the longest headline on the newspaper4k and trafilatura-eval
    pages is under 200 (a cnn.com analysis title, 124); longer is a paragraph taken for a title."""

    max_chars: int = 300
    min_words: int = 2  # for a headline found in a text's lead; one word is a section label
    label_max_words: int = 3  # an all-capitals line this short is a label, not a headline


RULES = TitleRules()


def _words(text: str) -> int:
    cjk = len(_CJK.findall(text))
    if cjk:  # CJK headlines have no spaces: count two characters a word
        return len(_WORD.findall(_CJK.sub(" ", text))) + (cjk + 1) // 2
    return len(_WORD.findall(text))


def is_byline(text: str) -> bool:
    """"By Jane Doe and Sam Roe", "Par Jean Dupont, AFP": a byline, not a headline."""
    return bool(BYLINE.match(text.strip())) and _words(text) <= 10


def is_label(text: str, rules: TitleRules = RULES) -> bool:
    """A short line in capitals ("THE WHITE HOUSE", "WORLD NEWS"): a section or office label."""
    letters = [c for c in text if c.isalpha()]
    return (
        bool(letters)
        and all(c.isupper() for c in letters if c.lower() != c.upper())
        and _words(text) <= rules.label_max_words
        and not _CJK.search(text)
    )


def is_headline(text: str | None, rules: TitleRules = RULES) -> bool:
    """True when a lead line can be an article's headline (see the module doc).

    Examples:
        >>> is_headline("Power cut"), is_headline("Friday, June 7, 2013"), is_headline("By Jane Doe")
        (True, False, False)
    """
    if not text or not _LETTER.search(text):
        return False
    line = " ".join(text.split())
    if _words(line) < rules.min_words or is_label(line, rules) or line.endswith(":"):
        return False  # too short, a label, or a line introducing what follows ("Courtesy of X:")
    return not (is_dateline(line) or is_byline(line))


def shorten(text: str, limit: int) -> str:
    """`text` (whitespace collapsed) in at most `limit` characters, cut on a word with "…".

    Example:
        >>> shorten("Tanker runs aground in the Gulf of Alaska", 30)
        'Tanker runs aground in the…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > 0 and not text[limit - 1].isspace():
        cut = cut[:space]  # the word at the limit would be cut: end before it
    return cut.rstrip(" ,;:-–—|") + ELLIPSIS


def strip_outlet(title: str, outlet: str | None) -> str:
    """A page title without the site's name at either end ("Headline | The Tribune")."""
    if not outlet:
        return title
    key = outlet.casefold().strip()
    low = title.casefold()
    for sep in _AFFIX_SEPARATORS:
        if low.endswith(sep.casefold() + key) and len(title) > len(sep) + len(key):
            return title[: len(title) - len(sep) - len(key)].strip()
        if low.startswith(key + sep.casefold()) and len(title) > len(sep) + len(key):
            return title[len(key) + len(sep):].strip()
    return title


def clean_title(title: str | None, outlet: str | None = None, rules: TitleRules = RULES) -> str | None:
    """A given title made fit to show, or None when it is not a headline at all.

    Given titles (a JSONL or feed field, a page's own title) are trusted more than lead lines:
    only a date, a byline or a title with no letter is refused.

    Examples:
        >>> clean_title("Floods hit the north | The Tribune", "The Tribune")
        'Floods hit the north'
        >>> clean_title("9/10/2010 @ 1:19PM") is None
        True
    """
    if not isinstance(title, str):
        return None
    text = " ".join(title.replace("\x00", "").split())
    if not text or not _LETTER.search(text):
        return None
    text = strip_outlet(text, outlet) or text
    # Only a bare date is refused here: a given title may name something beside its date
    # ("Giant Bombcast 07/19/2016"); lead lines are held to `is_headline`.
    if is_dateline(text, places=False) or is_byline(text):
        return None
    text = strip_date(text)
    return shorten(text, rules.max_chars)


def strip_date(title: str) -> str:
    """A title without a date joined to either end ("27 / 09 / 2013 - Elections called",
    "Cable repaired: 4 November 2011"); the title itself when nothing is left beside the date."""
    for sep in _AFFIX_SEPARATORS:
        if sep not in title:
            continue
        head, tail = title.split(sep, 1)
        if is_dateline(head, places=False) and _LETTER.search(tail):
            return strip_date(tail.strip())
        head, tail = title.rsplit(sep, 1)
        if is_dateline(tail, places=False) and _LETTER.search(head):
            return strip_date(head.strip())
    return title


__all__ = ["BYLINE", "ELLIPSIS", "RULES", "TitleRules", "clean_title", "is_byline", "is_headline", "is_label",
           "shorten", "strip_date", "strip_outlet"]
