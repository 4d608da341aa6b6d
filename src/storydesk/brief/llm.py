"""Optional abstractive brief through any OpenAI-compatible chat-completions endpoint.

In: the story's articles, cross-check, syndication map and `Settings` (`llm_url`, `llm_model`,
`llm_api_key`, `brief_words`). Out: `BriefSentence`s, each citing the articles of the numbered
source sentences the model cited. Nothing is sent unless both `llm_url` and `llm_model` are set.

The prompt lists numbered source sentences (each with its outlet) and asks for a brief whose every
sentence ends with the numbers it relies on, like `[2][5]`. Each output sentence then goes through
the faithfulness guard (`brief/guard.py`): one that cites nothing, cites unknown numbers, or states a
number or name its cited sources do not is repaired, by swapping in the cited source sentence
closest to it, or dropped. Any failure (network, HTTP status, bad JSON, nothing faithful left)
falls back to the extractive brief.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

from storydesk.brief import support as sp
from storydesk.brief.extractive import summarise_extractive
from storydesk.brief.guard import check_sentence
from storydesk.errors import LLMError
from storydesk.outlets import display_outlet
from storydesk.records import Article, BriefSentence, CrossCheck, Passage
from storydesk.segment import split_text
from storydesk.settings import Settings

log = logging.getLogger(__name__)

# Source sentences offered to the model: leads first, at most this many per article and in all, so
# the prompt stays a few thousand tokens even for big stories.
PER_ARTICLE = 12
MAX_SOURCES = 60
# Generation over a local llama.cpp server on CPU can take a while; connecting should not.
TIMEOUT = httpx.Timeout(120.0, connect=5.0)

_MARK = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")

SYSTEM_PROMPT = (
    "You write neutral news briefs from numbered source sentences. Use only facts stated in the "
    "sources. End every sentence with the numbers of the source sentences it relies on, in square "
    "brackets, like [2][5]. Never state a number, name or claim that the cited sentences do not "
    "state. Where sources disagree, say which outlet says what. Plain prose, no headings, no lists."
)


@dataclass(frozen=True, slots=True)
class SourceSentence:
    """One numbered sentence shown to the model."""

    number: int
    article: str  # the article it is from
    source: str  # the independent source it counts as (a copy's original)
    outlet: str
    passage: Passage


def source_sentences(
    articles: Sequence[Article], syndicated: Mapping[str, str | None]
) -> list[SourceSentence]:
    """The numbered sentences the prompt offers: non-chrome sentences of each independent article,
    interleaved lead-first across articles."""
    ids = {a.id for a in articles}
    per_article: list[list[tuple[Article, int, int, str]]] = []
    for a in articles:
        orig = syndicated.get(a.id)
        if orig and orig in ids:
            continue  # a copy adds no sentence its original does not have
        spans = [sp.trim_span(a.text, s, e) for s, e, _ in split_text(a.text)]
        keep = [
            (a, s, e, a.text[s:e]) for k, (s, e) in enumerate(spans)
            if not sp.looks_like_chrome(a.text[s:e], last=k == len(spans) - 1)
        ]
        per_article.append(keep[:PER_ARTICLE])
    out: list[SourceSentence] = []
    for rank in range(PER_ARTICLE):
        for rows in per_article:
            if rank < len(rows) and len(out) < MAX_SOURCES:
                a, s, e, t = rows[rank]
                out.append(SourceSentence(len(out) + 1, a.id, a.id, display_outlet(a.outlet, a.url, a.id),
                                          Passage(a.id, s, e, t)))
    return out


def build_messages(sources: Sequence[SourceSentence], words: int) -> list[dict[str, str]]:
    """The chat messages: the system rules, then the numbered sources and the length asked for."""
    lines = [f"[{s.number}] ({s.outlet}) {s.passage.text}" for s in sources]
    user = (
        "Source sentences:\n" + "\n".join(lines) + "\n\n"
        f"Write a brief of about {words} words. Cite the source numbers after every sentence."
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def endpoint(url: str) -> str:
    """The chat-completions URL for a base URL such as `http://127.0.0.1:8080/v1`."""
    url = url.rstrip("/")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


def chat(settings: Settings, messages: list[dict[str, str]], *, max_tokens: int = 600,
         timeout: httpx.Timeout | float = TIMEOUT) -> str:
    """POST one chat-completions request; the answer's text. Raises `LLMError` on any failure."""
    if not (settings.llm_url and settings.llm_model):
        raise LLMError("no LLM configured: set llm_url and llm_model")
    headers = {"Content-Type": "application/json"}
    if settings.llm_api_key:
        headers["Authorization"] = f"Bearer {settings.llm_api_key}"
    body = {"model": settings.llm_model, "messages": messages, "temperature": 0,
            "max_tokens": max_tokens}
    try:
        resp = httpx.post(endpoint(settings.llm_url), json=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise LLMError(f"{settings.llm_url}: {type(exc).__name__}: {exc}") from exc
    if resp.status_code != 200:
        raise LLMError(f"{settings.llm_url}: HTTP {resp.status_code}: {resp.text[:200]}")
    try:
        content = resp.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMError(f"{settings.llm_url}: not a chat-completions answer") from exc
    if not isinstance(content, str) or not content.strip():
        raise LLMError(f"{settings.llm_url}: empty answer")
    return content


def parse_answer(answer: str) -> list[tuple[str, tuple[int, ...]]]:
    """Split the model's answer into (sentence without markers, cited numbers) pairs.

    Markers are cut out before segmenting (brackets confuse the sentencizer) and each is given to
    the sentence it stood in; one written after a full stop (`Iran. [1][2] Nine died`) is first
    moved before it, so it stays with its sentence whichever way the model punctuates.
    """
    marks = r"((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+)"
    text = re.sub(r"([.!?][\"'”’)]*)" + marks, r"\2\1", answer.strip())
    clean = ""
    at: list[tuple[int, tuple[int, ...]]] = []
    last = 0
    for m in _MARK.finditer(text):
        clean = (clean + text[last : m.start()]).rstrip(" \t")
        at.append((max(0, len(clean) - 1), tuple(int(n) for n in re.split(r"[,;]", m.group(1)))))
        last = m.end()
    clean += text[last:]
    out: list[tuple[str, tuple[int, ...]]] = []
    for start, end, piece in split_text(clean):
        nums = tuple(n for pos, ns in at if start <= pos < end for n in ns)
        if sp.word_count(piece) >= 3:
            out.append((piece, tuple(dict.fromkeys(nums))))
        elif out and nums:
            prev, prev_nums = out[-1]
            out[-1] = (prev, tuple(dict.fromkeys(prev_nums + nums)))
    return out


def abstractive(
    articles: Sequence[Article],
    cross: CrossCheck,
    syndicated: Mapping[str, str | None],
    settings: Settings,
) -> tuple[BriefSentence, ...]:
    """The guarded abstractive brief; raises `LLMError` when the endpoint fails or nothing
    faithful is left. Use `summarise_llm` for the version that falls back to extractive."""
    sources = source_sentences(articles, syndicated)
    if not sources:
        raise LLMError("no source sentences to offer the model")
    by_number = {s.number: s for s in sources}
    words = max(1, settings.brief_words)
    answer = chat(settings, build_messages(sources, words), max_tokens=max(200, words * 4))
    out: list[BriefSentence] = []
    used: set[str] = set()
    for text, nums in parse_answer(answer):
        cited = [by_number[n] for n in nums if n in by_number]
        unknown = [n for n in nums if n not in by_number]
        verdict = check_sentence(text, [c.passage.text for c in cited], unknown=unknown)
        if not verdict.ok:
            log.info("guard rejected %r: %s", text, "; ".join(verdict.problems))
            # repair: the cited source sentence that says most of what the model wrote
            best = max(cited, key=lambda c: sp.overlap(text, c.passage.text), default=None)
            if best is None or best.passage.text in used:
                continue
            text, cited = best.passage.text, [best]
        if text in used:
            continue
        used.add(text)
        srcs = tuple(dict.fromkeys(c.source for c in cited))
        out.append(BriefSentence(text=text, sources=srcs, passages=tuple(c.passage for c in cited)))
    if not out:
        raise LLMError("no faithful sentence in the model's answer")
    return tuple(out)


def summarise_llm(
    articles: Sequence[Article],
    cross: CrossCheck,
    syndicated: Mapping[str, str | None],
    settings: Settings,
) -> tuple[BriefSentence, ...]:
    """The abstractive brief when an endpoint is configured and answers faithfully; otherwise the
    extractive brief (a failure is logged, never raised)."""
    if settings.llm_url and settings.llm_model:
        try:
            return abstractive(articles, cross, syndicated, settings)
        except LLMError as exc:
            log.warning("abstractive brief failed, using the extractive one: %s", exc)
    return summarise_extractive(articles, cross, syndicated, settings)


__all__ = [
    "SYSTEM_PROMPT",
    "SourceSentence",
    "abstractive",
    "build_messages",
    "chat",
    "endpoint",
    "parse_answer",
    "source_sentences",
    "summarise_llm",
]
