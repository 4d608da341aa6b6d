"""Outlet templates: paragraphs that repeat across many articles of one outlet.

A single page cannot tell its own boilerplate from its news; a corpus can. A paragraph that one
outlet prints in many of its articles is template (a tagline, a standing appeal, a disclaimer).
But one outlet also repeats *news* background across the articles of a running story, so a
repeated paragraph counts as template only when the articles that carry it are otherwise about
different things (low word overlap outside the repeated lines) or when it is short and not a
sentence.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from urllib.parse import urlsplit

from storydesk.records import Article, Removed

# A paragraph must appear in at least this many articles of an outlet, and in at least this
# share of them, to be template. 3 is the smallest count that is not a coincidence of two
# copies of one story; the share keeps a line that 3 of 500 articles quote from counting.
MIN_ARTICLES = 3
MIN_SHARE = 0.05
# Articles sharing a repeated paragraph that overlap this much elsewhere (Jaccard of word
# sets) are one running story, whose repeated background is news, not template.
SAME_STORY_JACCARD = 0.25


def outlet_key(article: Article) -> str | None:
    """Which outlet an article belongs to: its outlet name, else its URL's host."""
    if article.outlet:
        return " ".join(article.outlet.casefold().split())
    if article.url:
        host = urlsplit(article.url).hostname or ""
        return host.removeprefix("www.") or None
    return None


def line_key(line: str) -> str:
    """Stable short key of a paragraph: hash of its case-folded words."""
    norm = " ".join(re.findall(r"\w+", line.casefold()))
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16] if norm else ""


@dataclass(frozen=True, slots=True)
class OutletTemplates:
    """Per outlet: template paragraph keys -> in how many of the outlet's articles they appeared."""

    outlets: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    articles: dict[str, int] = dataclasses.field(default_factory=dict)

    def to_bytes(self) -> bytes:
        """Serialise for the store (JSON, UTF-8)."""
        return json.dumps({"outlets": self.outlets, "articles": self.articles}, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> OutletTemplates:
        """Inverse of `to_bytes`."""
        obj = json.loads(data.decode())
        return cls(outlets={k: dict(v) for k, v in obj["outlets"].items()}, articles=dict(obj["articles"]))

    def __len__(self) -> int:
        return sum(len(v) for v in self.outlets.values())


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w{3,}", text.casefold()))


def learn_templates(articles: Iterable[Article]) -> OutletTemplates:
    """Find the paragraphs that repeat across the articles of each outlet (see module doc)."""
    by_outlet: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        key = outlet_key(a)
        if key:
            by_outlet[key].append(a)
    outlets: dict[str, dict[str, int]] = {}
    counts: dict[str, int] = {}
    for outlet, arts in by_outlet.items():
        counts[outlet] = len(arts)
        if len(arts) < MIN_ARTICLES:
            continue
        holders: dict[str, list[int]] = defaultdict(list)
        sample: dict[str, str] = {}
        paras: list[list[str]] = []
        for i, a in enumerate(arts):
            lines = [ln.strip() for ln in a.text.splitlines() if ln.strip()]
            # Lines an earlier pass already cut as template still count: the store keeps cleaned
            # articles, and learning must give the same answer when run again over them.
            lines += [r.text.strip() for r in a.removed if r.reason == "outlet-template"]
            paras.append(lines)
            for k in dict.fromkeys(line_key(ln) for ln in lines):
                if k:
                    holders[k].append(i)
            for ln in lines:
                sample.setdefault(line_key(ln), ln)
        need = max(MIN_ARTICLES, int(MIN_SHARE * len(arts) + 0.999))
        repeated = {k for k, h in holders.items() if len(h) >= need}
        if not repeated:
            continue
        # each article's words outside the repeated lines, for the same-story check
        rest = [_words(" ".join(ln for ln in lines if line_key(ln) not in repeated)) for lines in paras]
        found: dict[str, int] = {}
        for k in repeated:
            h = holders[k]
            text = sample[k]
            short_label = len(text.split()) <= 12 and not re.search(r"[.!?]\W*$", text)
            if not short_label and _same_story(h[:8], rest):
                continue
            found[k] = len(h)
        if found:
            outlets[outlet] = found
    return OutletTemplates(outlets=outlets, articles=counts)


def _same_story(holders: list[int], rest: list[set[str]]) -> bool:
    sims = []
    for a, b in combinations(holders, 2):
        union = rest[a] | rest[b]
        if union:
            sims.append(len(rest[a] & rest[b]) / len(union))
    return bool(sims) and sum(sims) / len(sims) >= SAME_STORY_JACCARD


def apply_templates(article: Article, templates: OutletTemplates) -> Article:
    """The article without its outlet's template paragraphs, each cut audited as `outlet-template`."""
    outlet = outlet_key(article)
    found = templates.outlets.get(outlet or "")
    if not found:
        return article
    total = templates.articles.get(outlet or "", 0)
    kept: list[str] = []
    cuts: list[Removed] = []
    for ln in article.text.splitlines():
        k = line_key(ln)
        if k and k in found:
            cuts.append(Removed(ln, "outlet-template", f"in {found[k]} of {total} articles of {outlet}"))
        else:
            kept.append(ln)
    if not cuts:
        return article
    return dataclasses.replace(article, text="\n".join(kept), removed=article.removed + tuple(cuts))
