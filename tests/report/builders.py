"""Build real records for the report and web tests: articles from the seed texts, a story with
every part filled from their sentences (with true offsets), and a hostile article.

Generic: nothing here knows the seeds' content; the story is assembled from whatever sentences
the articles have, so the tests check the rendering, not the cross-check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from storydesk.records import (
    Article,
    Assignment,
    BriefSentence,
    Claim,
    Discrepancy,
    DiscrepancyValue,
    Entity,
    Exclusive,
    Passage,
    Provenance,
    Quote,
    Removed,
    Story,
    StoryArticle,
    TimelineEvent,
    content_id,
)
from storydesk.segment import split_text
from storydesk.store.sqlite import open_store

EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">" onmouseover="alert(1)'
EVIL_TITLE = 'Breaking <script>alert("title")</script>" onmouseover="alert(2)'


def article_from_file(path: Path, n: int) -> Article:
    text = path.read_text(encoding="utf-8").strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title = max(lines[:4], key=len)[:120]
    return Article(
        id=content_id(path.name, text), outlet=f"Outlet {chr(65 + n)}", title=title,
        url=f"https://outlet-{n}.example/news/{path.stem}", published=f"2024-01-{18 + n % 2:02d}T0{n}:00:00+00:00",
        language="en", raw_text=text, text=text,
        removed=(Removed(text="Subscribe to our newsletter", reason="donation-appeal", rule="test"),),
        provenance=Provenance(source=str(path), fmt="text"),
    )


def evil_article() -> Article:
    text = (f"Officials said {EVIL} about the strikes. Witnesses told reporters that seven people died.\n"
            f"A second paragraph mentions <b>bold</b> and &amp; entities.")
    return Article(
        id=content_id("evil", text), outlet='<i>Evil</i> "Outlet"', title=EVIL_TITLE,
        url="javascript:alert(3)", published="2024-01-19T10:00:00+00:00", language="en",
        raw_text=text, text=text,
        removed=(Removed(text=f"Share {EVIL}", reason="comment-prompt", rule='<script>r</script>'),),
    )


def _sents(a: Article) -> list[Passage]:
    return [Passage(article=a.id, start=s, end=e, text=t) for s, e, t in split_text(a.text)
            if len(t.split()) >= 4]


def build_story(articles: list[Article], title: str | None = None) -> Story:
    """A story over `articles` with every section filled from their real sentences."""
    sents = {a.id: _sents(a) for a in articles}
    first = [sents[a.id][0] for a in articles]
    brief = [BriefSentence(text=p.text, sources=(p.article,), passages=(p,)) for p in first[:3]]
    if len(articles) > 1:
        # one sentence supported by two outlets, each with its own wording
        brief.append(BriefSentence(text=first[0].text, sources=(first[0].article, first[1].article),
                                   passages=(first[0], first[1]), claim="c-shared"))
    claims = [Claim(id="c-shared", text=first[0].text, sources=tuple(p.article for p in first[:2]),
                    passages=tuple(first[:2]))]
    claims += [Claim(id=f"c-{i}", text=p.text, sources=(p.article,), passages=(p,))
               for i, p in enumerate(first[2:], 2)]
    second = [sents[a.id][1] for a in articles if len(sents[a.id]) > 1]
    values = tuple(DiscrepancyValue(value=str(i + 7), text=p.text, sources=(p.article,), passages=(p,))
                   for i, p in enumerate(second[:2]))
    discrepancies = (Discrepancy(kind="number", subject="people killed", values=values),)
    quotes = []
    for a in articles:
        for m in re.finditer(r"“([^”]{10,200})”", a.text):
            quotes.append(Quote(speaker=a.outlet or "someone", text=m.group(1), sources=(a.id,)))
            break
    caps: dict[str, set[str]] = {}
    for a in articles:
        for w in re.findall(r"\b[A-Z][a-z]{3,}\b", a.text):
            caps.setdefault(w, set()).add(a.id)
    entities = tuple(Entity(name=w, type="MISC", variants=(w, w.upper()), sources=tuple(sorted(ids)),
                            mentions=len(ids)) for w, ids in sorted(caps.items())[:8])
    timeline = tuple(TimelineEvent(text=p.text, sources=(p.article,), order=i,
                                   date=f"2024-01-{16 + i:02d}" if i % 2 == 0 else None,
                                   expression="on Tuesday" if i % 2 else "", resolved=i % 2 == 0)
                     for i, p in enumerate(second[:4]))
    exclusive = tuple(Exclusive(text=sents[a.id][-1].text, source=a.id, passage=sents[a.id][-1])
                      for a in articles if len(sents[a.id]) > 2)
    sarts = tuple(StoryArticle(id=a.id, outlet=a.outlet, title=a.title, url=a.url, published=a.published,
                               language=a.language) for a in articles)
    published = sorted(a.published for a in articles if a.published)
    return Story(
        id=content_id(*(a.id for a in articles)), title=title or (articles[0].title or "story"),
        articles=sarts, brief=tuple(brief), claims=tuple(claims), discrepancies=discrepancies,
        quotes=tuple(quotes), entities=entities, timeline=timeline, exclusive=exclusive,
        keywords=("strikes", "border"), first_seen=published[0] if published else None,
        last_seen=published[-1] if published else None, article_count=len(articles),
        outlet_count=len({a.outlet for a in articles}), independent_sources=len(articles),
    )


def seed_articles(seeds_dir: Path) -> list[Article]:
    return [article_from_file(p, i) for i, p in enumerate(sorted(seeds_dir.glob("*.txt")))]


def fill_store(data_dir: Path, stories: list[Story], articles: list[Article]) -> Path:
    """Store articles, assignments and stories with the real SQLite store."""
    with open_store(data_dir) as store:
        store.add_articles(articles)
        store.set_assignments(Assignment(article=a.id, story=s.id) for s in stories for a in s.articles)
        store.put_stories(stories)
    return data_dir


# ---------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def seed_set(seeds_dir: Path) -> tuple[Story, list[Article]]:
    arts = seed_articles(seeds_dir)
    return build_story(arts), arts


@pytest.fixture(scope="session")
def evil_set(seed_set: tuple[Story, list[Article]]) -> tuple[Story, list[Article]]:
    _story, seeds = seed_set
    arts = [evil_article(), seeds[0]]
    return build_story(arts, title=EVIL_TITLE), arts


# One pipeline run per test session, shared by tests/report and tests/web (each conftest registers
# the fixture, so the cache keeps the ~1-2 minute run from happening twice).
_PIPELINE: dict[Path, tuple[Path, Path] | Exception] = {}


@pytest.fixture(scope="session")
def seeds_run(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> tuple[Path, Path]:
    """`storydesk.pipeline.run` on the seeds: (data dir, reports dir)."""
    if seeds_dir not in _PIPELINE:
        from storydesk.pipeline import run
        from storydesk.settings import Settings

        base = tmp_path_factory.mktemp("seeds-run")
        try:
            summary = run([seeds_dir], base / "out", Settings.from_env(data_dir=base / "data"))
            assert summary.stories >= 1 and not summary.skipped, summary
        except Exception as exc:  # remembered, so the second registration does not rerun it
            _PIPELINE[seeds_dir] = exc
            raise
        _PIPELINE[seeds_dir] = (base / "data", base / "out")
    got = _PIPELINE[seeds_dir]
    if isinstance(got, Exception):
        raise RuntimeError(f"storydesk.pipeline.run failed on the seeds: {got!r}") from got
    return got


@pytest.fixture()
def filled_data(tmp_path: Path, seed_set: tuple[Story, list[Article]],
                evil_set: tuple[Story, list[Article]]) -> Iterator[Path]:
    """A data dir with the seed story and the hostile story stored."""
    (s1, a1), (s2, a2) = seed_set, evil_set
    arts = {a.id: a for a in a1 + a2}
    yield fill_store(tmp_path / "data", [s1, s2], list(arts.values()))
