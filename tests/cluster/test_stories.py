"""Streaming story clustering and syndication on real text: the seeds, ECB+ documents, hand-made copies."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from storydesk.cluster import StoryIndex, describe, stories
from storydesk.cluster.features import lead
from storydesk.cluster.stories import story_id_for
from storydesk.cluster.syndication import copies
from storydesk.embed import embed
from storydesk.records import Article, content_id
from storydesk.settings import Settings

pytestmark = [
    # torch/transformers import-time deprecations in the embedder's dependencies, not ours
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]


def art(text: str, *, title: str | None = None, outlet: str | None = None,
        published: str | None = None, key: str | None = None) -> Article:
    return Article(id=content_id(key or outlet or "", title, text), outlet=outlet, title=title, url=None,
                   published=published, language="en", raw_text=text, text=text)


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> list[Article]:
    out = []
    for p in sorted(seeds_dir.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        out.append(art(text, outlet=p.stem, published="2024-01-18T10:00:00+00:00"))
    return out


@pytest.fixture(scope="module")
def ecb(data_root: Path) -> list[dict]:
    with gzip.open(data_root / "ecbplus-events" / "docs.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def ecb_articles(docs: list[dict], cluster: str, n: int) -> list[Article]:
    return [art(d["text"], key=d["doc_id"]) for d in docs if d["event_cluster"] == cluster][:n]


OTHER_EVENTS = [
    # same region, other events and dates: written for this test
    art("A magnitude 6.1 earthquake struck near Khoy in Iran's West Azerbaijan province on Saturday "
        "night, injuring more than 800 people and damaging hundreds of homes, Iran's Red Crescent "
        "said. Rescue teams worked through freezing temperatures in the mountain villages.",
        title="Earthquake near Khoy injures hundreds in north-west Iran", outlet="wire-a",
        published="2023-01-29T08:00:00+00:00"),
    art("Floods across Pakistan's Sindh province have killed more than 1,100 people since June, the "
        "National Disaster Management Authority said, as Prime Minister Shehbaz Sharif appealed for "
        "international aid and the army rescued families stranded near Sukkur.",
        title="Pakistan floods death toll passes 1,100", outlet="wire-b",
        published="2022-08-29T08:00:00+00:00"),
    art("Pakistan's parliament elected Shehbaz Sharif as prime minister on Monday after Imran Khan "
        "was ousted in a no-confidence vote, ending weeks of political turmoil in Islamabad. Lawmakers "
        "from Khan's party walked out before the vote.",
        title="Shehbaz Sharif elected Pakistan prime minister after Khan ousted", outlet="wire-c",
        published="2022-04-11T15:00:00+00:00"),
]


def light_edit(text: str) -> str:
    """Drop one sentence, change a few words, add a line of page chrome."""
    sents = text.split(". ")
    del sents[min(2, len(sents) - 1)]
    edited = ". ".join(sents).replace(" said", " stated", 2).replace(" the ", " a ", 2)
    return "Subscribe to our newsletter for the latest headlines\n" + edited + "\nShare this article"


def test_seeds_form_one_story_and_other_events_stay_apart(seeds: list[Article]) -> None:
    index = StoryIndex.load(None, Settings())
    result = {a.article: a.story for a in index.add([*seeds, *OTHER_EVENTS])}
    seed_stories = {result[a.id] for a in seeds}
    assert len(seed_stories) == 1
    (sid,) = seed_stories
    assert sid == story_id_for(seeds[0].id)
    for other in OTHER_EVENTS:
        assert result[other.id] != sid
    assert len({result[o.id] for o in OTHER_EVENTS}) == 3


def test_look_alike_ecbplus_events_do_not_merge(ecb: list[dict]) -> None:
    # topic 1: two different celebrities checking into rehab
    a = ecb_articles(ecb, "1_ecb", 4)
    b = ecb_articles(ecb, "1_ecbplus", 4)
    index = StoryIndex.load(None, Settings())
    got = {x.article: x.story for x in index.add([*a, *b])}
    assert len({got[x.id] for x in a}) == 1
    assert len({got[x.id] for x in b}) == 1
    assert got[a[0].id] != got[b[0].id]


def test_copies_carry_syndicated_from_and_originals_do_not(seeds: list[Article]) -> None:
    orig = seeds[3]
    exact = art(orig.text, outlet="copycat-1", published="2024-01-18T12:00:00+00:00")
    edited = art(light_edit(orig.text), outlet="copycat-2", published="2024-01-18T13:00:00+00:00")
    index = StoryIndex.load(None, Settings())
    got = {x.article: x for x in index.add([*seeds, exact, edited])}
    assert got[exact.id].syndicated_from == orig.id
    assert got[edited.id].syndicated_from == orig.id
    assert got[exact.id].story == got[orig.id].story
    for s in seeds:
        assert got[s.id].syndicated_from is None

    story = describe(got[orig.id].story, [*seeds, exact, edited], got)
    assert story.article_count == 7
    assert story.outlet_count == 7
    assert story.independent_sources == 5  # the two copies count as their original
    marked = {a.id: a.syndicated_from for a in story.articles}
    assert marked[exact.id] == orig.id and marked[orig.id] is None
    assert story.first_seen == "2024-01-18T10:00:00+00:00"
    assert story.last_seen == "2024-01-18T13:00:00+00:00"
    assert any(k in story.keywords for k in ("pakistan", "iran", "strikes"))


def test_earlier_copy_becomes_the_original(seeds: list[Article]) -> None:
    orig = seeds[1]
    later = art(orig.text, outlet="late", published="2024-01-19T09:00:00+00:00")
    early = art(orig.text, outlet="early", published="2024-01-17T09:00:00+00:00")
    index = StoryIndex.load(None, Settings())
    first = {x.article: x for x in index.add([orig, later])}
    assert first[later.id].syndicated_from == orig.id
    changed = {x.article: x for x in index.add([early])}
    # the new earliest copy is the original now; the earlier articles' assignments changed
    assert changed[early.id].syndicated_from is None
    assert changed[orig.id].syndicated_from == early.id
    assert changed[later.id].syndicated_from == early.id


def test_without_times_the_first_ingested_is_the_original(seeds: list[Article]) -> None:
    texts = [seeds[2].text, seeds[0].text, light_edit(seeds[2].text), seeds[2].text]
    assert copies(texts) == [None, None, 0, 0]
    untimed = [art(t, outlet=f"o{k}") for k, t in enumerate(texts)]
    index = StoryIndex.load(None, Settings())
    got = {x.article: x for x in index.add(untimed)}
    assert got[untimed[2].id].syndicated_from == untimed[0].id
    assert got[untimed[3].id].syndicated_from == untimed[0].id
    assert got[untimed[0].id].syndicated_from is None
    assert got[untimed[0].id].story == got[untimed[1].id].story  # same event, no times needed
    story = describe(got[untimed[0].id].story, untimed, got)
    assert story.first_seen is None and story.last_seen is None


def test_ids_are_stable_across_batches_and_dump_load(seeds: list[Article], ecb: list[dict]) -> None:
    stream = [*seeds[:2], *ecb_articles(ecb, "3_ecb", 3), *seeds[2:], *ecb_articles(ecb, "3_ecbplus", 3),
              *OTHER_EVENTS]
    settings = Settings()
    vecs = embed([lead(a) for a in stream])  # once, for both runs (the model is the slow part)
    one = StoryIndex.load(None, settings)
    one.add(stream, vectors=vecs)

    three = StoryIndex.load(None, settings)
    three.add(stream[:4], vectors=vecs[:4])
    three = StoryIndex.load(three.dump(), settings)
    three.add(stream[4:9], vectors=vecs[4:9])
    three = StoryIndex.load(three.dump(), settings)
    three.add(stream[9:], vectors=vecs[9:])
    assert three.assignments() == one.assignments()
    # re-adding known articles changes nothing
    assert three.add(stream[:5]) == []
    assert len(set(one.assignments()[a.id].story for a in seeds)) == 1


def test_a_batch_clusters_alike_in_any_order(ecb: list[dict]) -> None:
    # two look-alike events per topic, plus two copies: the partition of one add() must not
    # depend on the order of its articles (the old one-by-one assignment did)
    docs = [a for c in ("5_ecb", "5_ecbplus", "12_ecb", "12_ecbplus") for a in ecb_articles(ecb, c, 5)]
    docs += [art(light_edit(docs[0].text), key="copy-a"), art(docs[7].text, key="copy-b")]
    vecs = embed([lead(a) for a in docs])
    for dense in (True, False):
        runs = []
        for order in (list(range(len(docs))), list(reversed(range(len(docs)))),
                      [*range(1, len(docs), 2), *range(0, len(docs), 2)]):
            index = StoryIndex.load(None, Settings(embed=dense))
            index.add([docs[k] for k in order], vectors=vecs[order] if dense else None)
            stories: dict[str, set[str]] = {}
            for aid, x in index.assignments().items():
                stories.setdefault(x.story, set()).add(aid)
            runs.append({frozenset(v) for v in stories.values()})
        assert runs[0] == runs[1] == runs[2], dense
        assert len(runs[0]) >= 2
        index_of = {aid: k for k, part in enumerate(runs[0]) for aid in part}
        assert index_of[docs[-2].id] == index_of[docs[0].id]
        assert index_of[docs[-1].id] == index_of[docs[7].id]


def test_ann_and_exact_search_agree(ecb: list[dict]) -> None:
    stream = [a for c in ("5_ecb", "5_ecbplus", "12_ecb", "12_ecbplus") for a in ecb_articles(ecb, c, 5)]
    vecs = embed([lead(a) for a in stream])
    for dense in (True, False):
        settings = Settings(embed=dense)
        ann = StoryIndex.load(None, settings)
        exact = StoryIndex.load(None, settings, exact=True)
        # small batches: rows of the batch in progress are searched exactly, earlier batches'
        # rows through usearch, so this exercises the ANN index on most neighbour searches
        for k in range(0, len(stream), 3):
            part = vecs[k : k + 3] if dense else None
            ann.add(stream[k : k + 3], vectors=part)
            exact.add(stream[k : k + 3], vectors=part)
        assert len(ann._vec._ann) == len(stream)
        assert ann.assignments() == exact.assignments()
        assert len({a.story for a in ann.assignments().values()}) >= 2
        v = ann._vec.data[0]
        assert [j for j, _ in ann._vec.search(v, 5)] == [j for j, _ in exact._vec.search(v, 5)]


def test_empty_and_tiny_texts_get_their_own_stories() -> None:
    items = [art("", key="e1"), art("   \n ", key="e2"), art("Ok.", key="e3"),
             art("", title="Breaking", key="e4")]
    index = StoryIndex.load(None, Settings())
    got = {x.article: x for x in index.add(items)}
    assert len(got) == 4
    assert len({g.story for g in got.values()}) == 4
    assert all(g.syndicated_from is None for g in got.values())
    for it in items:
        story = describe(got[it.id].story, [it], got)
        assert story.article_count == 1 and story.independent_sources == 1
    assert describe(got[items[3].id].story, [items[3]], got).title == "Breaking"


def test_one_article_story_and_unknown_outlets_count_alone() -> None:
    a = art("The city council of Springfield approved a new budget of 12 million dollars for road "
            "repairs on Tuesday, the mayor's office announced.", title="Springfield passes road budget")
    index = StoryIndex.load(None, Settings(embed=False))
    (got,) = index.add([a])
    assert got.story == story_id_for(a.id)
    story = describe(got.story, [a], {a.id: got})
    assert story.title == "Springfield passes road budget"
    assert (story.article_count, story.outlet_count, story.independent_sources) == (1, 1, 1)


def test_dump_round_trip_keeps_vectors(seeds: list[Article]) -> None:
    index = StoryIndex.load(None, Settings())
    index.add(seeds)
    again = StoryIndex.load(index.dump(), Settings())
    assert again.assignments() == index.assignments()
    assert np.allclose(again._vec.data[: len(seeds)], index._vec.data[: len(seeds)], atol=1e-3)


def test_mutual_pairs_are_raised_only_when_each_is_the_others_clear_best(monkeypatch: pytest.MonkeyPatch) -> None:
    # five new articles (no copies); the pair probabilities are set by hand; a gap of 0.2 asked
    monkeypatch.setattr(stories, "MUTUAL_GAP", 0.2)
    items = [art(f"Report number {k} about the council budget vote in town {k}.", key=f"m{k}") for k in range(5)]
    index = StoryIndex.load(None, Settings(embed=False))
    index.add(items)
    edges = {
        (0, 1): 0.3,  # among each other's two best, well above any third partner: raised
        (1, 3): 0.05,
        (2, 3): 0.32,  # 2's best, but 2's third-best partner (0.28) is close behind: kept
        (2, 4): 0.3,  # the same for 2's second
        (0, 2): 0.28,  # not among 2's two best: kept
        (3, 4): 0.02,  # below MUTUAL_LOW whatever the ranks: kept
    }
    got = index._mutual(0, dict(edges))
    assert got[0, 1] == stories.MUTUAL_P
    assert {k: v for k, v in got.items() if k != (0, 1)} == {k: v for k, v in edges.items() if k != (0, 1)}
    # a stored row takes no part: the same pairs with rows 0-1 stored stay as they are
    assert index._mutual(2, dict(edges)) == edges
    # with no gap asked, (2, 3) is each one's best among the two best: raised too
    monkeypatch.setattr(stories, "MUTUAL_GAP", 0.0)
    got = index._mutual(0, dict(edges))
    assert got[0, 1] == got[2, 3] == stories.MUTUAL_P and got[0, 2] == 0.28 and got[3, 4] == 0.02


def test_small_stored_stories_of_one_event_merge_under_the_oldest_id(ecb: list[dict]) -> None:
    # one ECB+ event, one report per add(): pair links alone left it in 3 stories (stored stories
    # never merge inside a batch); the story-level pass joins each small story to its event's
    # story, the merged story keeps the oldest id, and add() reports the stored articles it moved
    docs = ecb_articles(ecb, "22_ecb", 5)
    vecs = embed([lead(a) for a in docs])
    index = StoryIndex.load(None, Settings(), exact=True)
    reported: dict[str, str] = {}
    for k, a in enumerate(docs):
        for x in index.add([a], vectors=vecs[k : k + 1]):
            reported[x.article] = x.story
    assert {x.story for x in index.assignments().values()} == {story_id_for(docs[0].id)}
    assert reported == {aid: x.story for aid, x in index.assignments().items()}


def test_a_big_story_is_thinned_in_the_neighbour_index_and_still_gathers_its_reports(
        ecb: list[dict], monkeypatch: pytest.MonkeyPatch) -> None:
    # with INDEX_FULL = 2, a story's members 0-3 are indexed, then every other one (m // 2 stride)
    monkeypatch.setattr(stories, "INDEX_FULL", 2)
    event = [art(d["text"], key=d["doc_id"]) for d in ecb if d["event_cluster"] == "1_ecbplus"]
    assert len(event) >= 10
    index = StoryIndex.load(None, Settings(embed=False))
    for k in range(0, 10, 2):
        index.add(event[k : k + 2])
    sid = index.assignment(event[0].id).story
    rows = index.members[sid]
    assert len(rows) >= 8  # the event stays one story
    indexed = [k for k in rows if index._vec.indexed[k]]
    assert len(indexed) < len(rows)
    assert len(index._vec._ann) == int(index._vec.indexed[: len(index)].sum())
    # a later report of the event still finds the story through its indexed members
    late = event[10] if len(event) > 10 else art(event[0].text + " Officials gave no further details.", key="late")
    index.add([late])
    assert index.assignment(late.id).story == sid
    # the thinning survives dump/load: the same rows are searchable
    again = StoryIndex.load(index.dump(), Settings(embed=False))
    assert np.array_equal(again._vec.indexed[: len(again)], index._vec.indexed[: len(index)])


def test_story_tallies_and_originals_match_a_recount_while_streaming(seeds: list[Article], ecb: list[dict]) -> None:
    # the per-story tallies (originals, headline-less members, smallest id) and each copy group's
    # original are kept incrementally; after every batch they must equal counting afresh, across
    # copies arriving later, an earlier copy taking over, story merges and a dump/load
    copies_late = [art(light_edit(s.text), outlet=f"late{k}", published="2024-01-19T09:00:00+00:00")
                   for k, s in enumerate(seeds[:3])]
    earliest = art(seeds[0].text, outlet="early", published="2024-01-16T09:00:00+00:00")
    titled = [art(d["text"], key=d["doc_id"], title=d["text"].split(".")[0][:80])
              for d in ecb if d["event_cluster"] == "22_ecb"][:4]
    batches = [seeds[:2], [*seeds[2:], *titled[:2]], copies_late, [earliest, *titled[2:]],
               ecb_articles(ecb, "3_ecb", 4), [art(seeds[0].text, outlet="again")]]
    index = StoryIndex.load(None, Settings(embed=False), exact=True)
    for k, batch in enumerate(batches):
        index.add(batch)
        if k == 3:
            index = StoryIndex.load(index.dump(), Settings(embed=False), exact=True)
        for sid, rows in index.members.items():
            originals = sum(index.synd[r] is None for r in rows)
            assert index._story_counts(sid) == (max(1, originals), all(index.titled[r] for r in rows))
            assert index._min_id[sid] == min(index.ids[r] for r in rows)
        for group in index._groups.values():
            orig = min(group, key=lambda r: (index.feats[r].time is None, index.feats[r].time or 0.0, r))
            assert all(index.synd[r] == (None if r == orig else index.ids[orig]) for r in group)
    assert index.assignment(earliest.id).syndicated_from is None
    assert index.assignment(seeds[0].id).syndicated_from == earliest.id
    assert sum(len(g) > 1 for g in index._groups.values()) >= 3
