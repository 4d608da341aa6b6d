"""Per-language word lists for the fact engine, kept as data (`crosscheck/data/<lang>.json`).

`language_data("en")` gives the lists; a language without a file gets None, and the fact engine
then reads no figure of that article (an English rule never reads a French or German text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class LanguageData:
    """Words the frame reader needs for one language."""

    code: str
    reporting_verbs: frozenset[str]  # lemmas whose subject is a statement's source ("say")
    light_words: frozenset[str]  # lemmas that say nothing of what a figure measures ("be", "have")
    generic_nouns: frozenset[str]  # counted nouns that name no particular group ("people")
    estimate_verbs: frozenset[str]  # "put/estimate X at N": the figure measures X, not the verb
    measure_preps: frozenset[str]  # prepositions that say what a figure counts ("$72 billion in debt")


@lru_cache(maxsize=16)
def language_data(language: str | None) -> LanguageData | None:
    """The word lists of `language` (ISO 639-1; None reads as English), or None if none ship."""
    code = (language or "en").split("-")[0].lower()
    try:
        raw = resources.files("storydesk.crosscheck").joinpath("data", f"{code}.json").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    data = json.loads(raw)
    return LanguageData(
        code=code,
        reporting_verbs=frozenset(data["reporting_verbs"]),
        light_words=frozenset(data["light_words"]),
        generic_nouns=frozenset(data["generic_nouns"]),
        measure_preps=frozenset(data["measure_preps"]),
        estimate_verbs=frozenset(data["estimate_verbs"]),
    )


__all__ = ["LanguageData", "language_data"]
