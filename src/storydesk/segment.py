"""Sentence segmentation with character offsets into an article's cleaned text.

spaCy's rule-based `sentencizer` on a blank English pipeline (its tokenizer keeps "U.S." and
"Dr." whole, so they do not end sentences), run paragraph by paragraph so a line break always
ends a sentence. Offsets index `Article.text`, so `text[start:end] == sentence.text`.
"""

from __future__ import annotations

import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from storydesk.records import Article, Sentence

_LOCK = threading.Lock()
_NLP: Any = None
_PARA = re.compile(r"[^\n]+")
# A paragraph longer than this is cut at whitespace before spaCy sees it (bounded time/memory).
MAX_PARAGRAPH = 20_000


def get_nlp() -> Any:
    """Blank English spaCy pipeline with the sentencizer, built once per process."""
    global _NLP
    with _LOCK:
        if _NLP is None:
            nlp = import_spacy().blank("en")  # before any other spaCy import (see import_spacy)
            from spacy.attrs import IS_PUNCT

            nlp.add_pipe("sentencizer")
            nlp.max_length = MAX_PARAGRAPH * 2
            # Every new word in this pipeline's vocabulary gets its 23 lexical attributes computed
            # (shape, norm, like_num...), but `_spans` reads only offsets, and the sentencizer only
            # the text and IS_PUNCT; the tokenizer's splits do not depend on them. Sentences are the
            # same to the offset on the 351 pages of bench/analysis_cost.py; splitting them took
            # 2.57 CPU-s instead of 3.42. The vocabulary is this pipeline's own.
            getters = nlp.vocab.lex_attr_getters
            nlp.vocab.lex_attr_getters = {IS_PUNCT: getters[IS_PUNCT]}
            _NLP = nlp
        return _NLP


def import_spacy() -> Any:
    """spaCy, imported without torch unless something already imported torch or thinc.

    Why: thinc (spaCy's ML library) imports torch when it is installed, only to offer
    torch-backed layers. No pipeline here uses them (the sentencizer; en_core_web_sm runs on
    thinc's NumpyOps) and MiniLM runs on onnxruntime, so that import was pure start-up cost:
    `import spacy` 2.17 CPU-s with it, 1.05 without. torch stays importable afterwards (the
    torch embedding fallback and the ONNX export import it themselves).
    """
    if "thinc" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        import spacy
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy


def _spans(text: str) -> Iterator[tuple[int, int]]:
    nlp = get_nlp()
    for para in _PARA.finditer(text):
        p_start = para.start()
        chunk = para.group()
        for off in range(0, len(chunk), MAX_PARAGRAPH):
            piece = chunk[off : off + MAX_PARAGRAPH]
            doc = nlp(piece)
            for sent in doc.sents:
                s = sent.start_char
                e = sent.end_char
                # trim whitespace so offsets hug the sentence
                while s < e and piece[s].isspace():
                    s += 1
                while e > s and piece[e - 1].isspace():
                    e -= 1
                if e > s:
                    yield p_start + off + s, p_start + off + e


# Sentence offsets by text, most recently used last. Cross-check (`sentences`) and the brief
# (`split_text`) each split every article of a story, in the same worker, one after the other:
# profiled on pipeline.run over 300 bench/throughput.py articles, that second split was 3.4 s of
# 6.8 s of spaCy. 4,096 articles' offsets are well under 10 MB.
_SPANS: OrderedDict[str, tuple[tuple[int, int], ...]] = OrderedDict()
_SPANS_MAX = 4096


def split_text(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) for every sentence of `text`; each text is split once per process."""
    with _LOCK:
        spans = _SPANS.get(text)
        if spans is not None:
            _SPANS.move_to_end(text)
    if spans is None:
        spans = tuple(_spans(text))
        with _LOCK:
            _SPANS[text] = spans
            while len(_SPANS) > _SPANS_MAX:
                _SPANS.popitem(last=False)
    return [(s, e, text[s:e]) for s, e in spans]


def sentences(article: Article) -> tuple[Sentence, ...]:
    """The sentences of `article.text` as `Sentence` records."""
    return tuple(
        Sentence(article=article.id, index=i, start=s, end=e, text=t)
        for i, (s, e, t) in enumerate(split_text(article.text))
    )
