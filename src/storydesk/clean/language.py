"""Paragraph language for cleaning, cheap cues first and lingua only where they do not settle it.

Why not ask lingua about every paragraph: its high-accuracy detector over the ~35 languages of
`storydesk.lang` loads every n-gram model of every Latin-script language on first use (~600 MB
and 6-25 s per process, measured with psutil on this 2-core machine) and then costs ~5 ms a
paragraph. Cleaning was dominated by it (cProfile over the throughput bench's corpus: 96% of
clean_document's time, 2.7 articles/s per process). Three tiers instead:

1. cheap cues, no model: a script that only one of our languages uses (Hangul, kana, Thai,
   Greek, Hebrew, Devanagari, Han), or a paragraph dense in one language's function words;
2. lingua in low-accuracy mode (trigram models only: ~50 MB, under a second to load) for the
   paragraphs the cues leave open; it agreed with the high-accuracy detector on 98.8% of the
   5,453 paragraphs of >= 60 characters on article-extraction-benchmark + trafilatura-eval;
3. before a paragraph is cut as foreign, a high-accuracy detector restricted to the two
   languages in question (the article's and the paragraph's) must confirm it: cuts lose text,
   so they get the accurate models, but only two languages' worth of them.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from storydesk.lang import LANGUAGES

# lingua looks at this much of a paragraph: language is settled well before 1,000 characters and
# its cost grows with the length.
_MAX_CHARS = 1000

# Common function words per language: generic stopwords, not tuned on any page.
_STOP: dict[str, str] = {
    "en": "the of and to in is that for on with was as by it at from his her are be has have this",
    "fr": "le la les de des du et est un une dans pour que qui sur au aux par pas il elle avec se",
    "de": "der die das und ist nicht den dem des ein eine zu mit sich auf für von im auch es sie",
    "es": "el la los las de del y que en un una por con para es se su al lo como más pero",
    "it": "il la di che e un una per non con sono del della le gli nel si da al",
    "pt": "o a os as de do da e que em um uma para com não no na por se",
    "nl": "de het een en van is dat op te in met voor niet zijn er aan ook",
}
STOPSETS: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in _STOP.items()}

# A paragraph whose tokens are >= 12% function words of the article's language is in that
# language (clean_document's rule before this module). On the 4,427 of the paragraphs above that
# it labels, it disagrees with a sure high-accuracy lingua on 3 (English text quoting German).
HINT_SHARE = 0.12
# Without a hint, one language's function words must make >= 20% of the tokens and three times
# the next language's share. On the 5,453 paragraphs above, (share, ratio) = (0.15, 2) settled
# 79% of them but disagreed with lingua-sure labels on 13; (0.2, 3) settles 60% and disagrees on
# 5 (an English sentence quoting German, Polish read as Portuguese); (0.25, 3) 38% and 1.
FREE_SHARE = 0.2
FREE_RATIO = 3.0

_WORD = re.compile(r"\w+")
# Scripts that only one language of `storydesk.lang.LANGUAGES` is written in. Japanese mixes
# kana with Han, so any real share of kana (10% of the letters) makes it Japanese; Han alone is
# Chinese.
_KANA = re.compile(r"[\u3040-\u30ff]")
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("el", re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("zh", re.compile(r"[\u3400-\u9fff]")),
)
_LETTER = re.compile(r"[^\W\d_]")


def stop_share(text: str, language: str) -> float:
    """Share of `text`'s word tokens that are function words of `language` (0 when unknown)."""
    stops = STOPSETS.get(language)
    toks = _WORD.findall(text.casefold())
    if not toks or stops is None:
        return 0.0
    return sum(t in stops for t in toks) / len(toks)


def _script_language(text: str) -> str | None:
    letters = len(_LETTER.findall(text))
    if not letters:
        return None
    if len(_KANA.findall(text)) >= 0.1 * letters:
        return "ja"
    for code, pat in _SCRIPTS:
        # most letters in the script (CJK counts one character a letter, like the rest)
        if len(pat.findall(text)) >= 0.5 * letters:
            return code
    return None


def cheap_language(text: str, hint: str | None = None) -> str | None:
    """The language that cheap cues (script, function words) settle for `text`, else None."""
    if hint and stop_share(text, hint) >= HINT_SHARE:
        return hint
    by_script = _script_language(text)
    if by_script:
        return by_script
    toks = _WORD.findall(text.casefold())
    if len(toks) < 6:  # too few words for function-word shares to mean anything
        return None
    shares = sorted(((sum(t in s for t in toks) / len(toks), k) for k, s in STOPSETS.items()), reverse=True)
    (best, code), (second, _) = shares[0], shares[1]
    if best >= FREE_SHARE and best >= FREE_RATIO * second:
        return code
    return None


_LOCK = threading.Lock()
_SCREEN: Any = None


def _screen_detector() -> Any:
    global _SCREEN
    with _LOCK:
        if _SCREEN is None:
            from lingua import Language, LanguageDetectorBuilder

            langs = [getattr(Language, name) for name in LANGUAGES]
            _SCREEN = LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()
        return _SCREEN


@lru_cache(maxsize=64)
def _pair_detector(a: str, b: str) -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_iso_codes_639_1(IsoCode639_1.from_str(a), IsoCode639_1.from_str(b)).build()


def _code(lang: Any) -> str:
    return str(lang.iso_code_639_1.name).lower()


def screen(text: str) -> tuple[str | None, float]:
    """(most likely language, its confidence 0..1) from the low-accuracy detector."""
    values = _screen_detector().compute_language_confidence_values(text[:_MAX_CHARS])
    if not values:
        return None, 0.0
    return _code(values[0].language), float(values[0].value)


def confirm_other(text: str, language: str, other: str, min_conf: float) -> bool:
    """True when the accurate models of just `language` and `other` say `text` is in `other`.

    False when either language is unknown to lingua (nothing is cut on a guess).
    """
    try:
        det = _pair_detector(*sorted((language, other)))
    except (ValueError, KeyError):
        return False
    values = det.compute_language_confidence_values(text[:_MAX_CHARS])
    return bool(values) and _code(values[0].language) == other and float(values[0].value) >= min_conf


def paragraph_language(text: str, hint: str | None, min_conf: float) -> tuple[str | None, bool]:
    """(language, confident) of one paragraph: cheap cues first, else the low-accuracy screen."""
    cheap = cheap_language(text, hint)
    if cheap:
        return cheap, True
    code, conf = screen(text)
    return code, code is not None and conf >= min_conf


def detect_language(text: str, min_chars: int = 20) -> str | None:
    """ISO 639-1 code of a whole text's language (cheap cues, else the screen), None if unsure."""
    text = text.strip()
    if len(text) < min_chars:
        return None
    cheap = cheap_language(text[: 4 * _MAX_CHARS])
    if cheap:
        return cheap
    values = _screen_detector().compute_language_confidence_values(text[: 2 * _MAX_CHARS])
    return _code(values[0].language) if values else None


def warm_up() -> None:
    """Load the screening models now (a worker initializer can call it before timing starts)."""
    _screen_detector().compute_language_confidence_values("warm up the language models")
