"""Faithfulness guard for generated brief sentences.

In: one generated sentence (citation markers already stripped) and the texts of the source
sentences it cites. Out: a `Verdict` listing every problem found. A sentence passes only when it
cites something, every number it states is stated by its cited sources ("12 killed" fails against
sources saying "nine"), every name it uses occurs in them, and it shares some of their wording.
No model judges here: the checks are lexical, so they are strict and explainable, at the price of
rejecting some honest paraphrases (which the caller then repairs from the sources themselves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storydesk.brief import support as sp

# Share of the sentence's content words that must occur in its cited sources. Low on purpose: it
# only catches sentences about something else entirely; numbers and names are checked exactly.
MIN_CONTENT_OVERLAP = 0.3


@dataclass(frozen=True, slots=True)
class Verdict:
    """The guard's finding on one sentence; `problems` are short human-readable reasons."""

    ok: bool
    problems: tuple[str, ...] = ()


def check_sentence(text: str, cited: Sequence[str], *, unknown: Sequence[int] = ()) -> Verdict:
    """Check one generated sentence against the source sentences it cites.

    Args:
        text: the generated sentence without its citation markers.
        cited: the full text of each cited source sentence.
        unknown: citation numbers the sentence used that match no source sentence.

    Example:
        >>> check_sentence("Twelve people died.", ["Nine people were killed."]).ok
        False
    """
    problems: list[str] = []
    if unknown:
        problems.append("cites unknown source(s) " + ", ".join(f"[{n}]" for n in unknown))
    if not cited:
        problems.append("cites no source")
        return Verdict(False, tuple(problems))
    joined = " ".join(cited)
    missing_numbers = sp.numbers(text) - sp.numbers(joined)
    if missing_numbers:
        shown = ", ".join(f"{n:g}" for n in sorted(missing_numbers))
        problems.append(f"number(s) not in cited sources: {shown}")
    vocabulary = sp.name_tokens(joined)
    missing_names = sorted(n for n in sp.names(text) if n not in vocabulary)
    if missing_names:
        problems.append("name(s) not in cited sources: " + ", ".join(missing_names))
    if sp.overlap(text, joined) < MIN_CONTENT_OVERLAP:
        problems.append("little of the sentence occurs in its cited sources")
    return Verdict(not problems, tuple(problems))


__all__ = ["MIN_CONTENT_OVERLAP", "Verdict", "check_sentence"]
