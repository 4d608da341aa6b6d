"""Paragraph language for cleaning: cheap cues, the low-accuracy screen, the two-language check."""

from __future__ import annotations

import pytest

from storydesk.clean import language

EN = "The minister said on Tuesday that the government would not change its position on the strikes."
FR = "Le ministre a déclaré mardi que le gouvernement ne changerait pas sa position sur les frappes."
DE = "Der Minister sagte am Dienstag, dass die Regierung ihre Haltung zu den Angriffen nicht ändern werde."
ES = "El ministro dijo el martes que el gobierno no cambiaría su posición sobre los ataques aéreos."


@pytest.mark.parametrize(("text", "code"), [(EN, "en"), (FR, "fr"), (DE, "de"), (ES, "es")])
def test_function_words_settle_common_languages(text: str, code: str) -> None:
    assert language.cheap_language(text) == code
    assert language.detect_language(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("서울에서 열린 회의에서 장관은 새로운 정책을 발표했다", "ko"),
        ("東京で開かれた会議で大臣は新しい政策を発表した", "ja"),
        ("北京举行的会议上部长宣布了新的政策", "zh"),
        ("Ο υπουργός ανακοίνωσε νέα μέτρα για την οικονομία", "el"),
    ],
)
def test_script_settles_single_script_languages(text: str, code: str) -> None:
    assert language.cheap_language(text) == code


def test_few_or_mixed_function_words_leave_it_open() -> None:
    assert language.cheap_language("Bob Marley, Bruno Mars, Drake, The Eagles, Jay Z") is None
    # Polish is not among the function-word languages: the screen decides
    polish = "Skarżący powołali się na artykuł Europejskiej konwencji o ochronie praw człowieka i wolności."
    assert language.cheap_language(polish) is None
    code, sure = language.paragraph_language(polish, "en", 0.9)
    assert code == "pl" and sure


def test_hint_language_needs_its_own_function_words() -> None:
    assert language.paragraph_language(EN, "en", 0.9) == ("en", True)
    code, _ = language.paragraph_language(FR, "en", 0.9)
    assert code == "fr"


def test_cut_needs_the_accurate_two_language_check() -> None:
    spanish = "Buscan apropiarse ilegalmente de avión de Ricardo Martinelli en Guatemala"
    assert not language.confirm_other(spanish, "es", "it", 0.9)
    assert language.confirm_other(FR, "en", "fr", 0.9)
    assert not language.confirm_other(EN, "en", "fr", 0.9)
    assert not language.confirm_other(EN, "en", "xx", 0.9)  # unknown code: never cut on a guess


def test_short_text_has_no_language() -> None:
    assert language.detect_language("Hi there") is None
