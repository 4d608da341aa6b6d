"""What changed in a story between two of its analyses: pure functions over frozen records.

`story_changes(old, new, versions)` takes the story as it was (None: not yet analysed) and as it
is, plus each article's version record (page identity and when it was first seen), and returns
a `StoryChanges`: outlets that joined or left, facts that are new, values an outlet revised (old
-> new, with when each was seen, and whether the outlet silently edited the same page),
conflicts that appeared or were resolved, and brief sentences added or dropped.

The one idea: fact ids come from their cells' values, so a revised value gives the fact a new
id. Facts are therefore matched across the two analyses by what stayed the same (the same id,
the same subject, the same outlet saying the same thing in the same words, or the same pages
reporting it), and only then are their cells compared outlet by outlet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from storydesk.outlets import display_outlet
from storydesk.records import Discrepancy, Fact, FactCell, Record, Story, normalise_space
from storydesk.store.versions import ArticleVersion

# Kinds whose cell value is a sentence's wording rather than a figure or a name: two wordings of
# one claim are not a revised value, so cells of these kinds are never compared for revisions.
WORDING_KINDS = frozenset({"other"})


@dataclass(frozen=True, slots=True)
class OutletChange(Record):
    """An outlet that joined (or left) the story, with its articles and when they appeared."""

    outlet: str
    articles: tuple[str, ...]
    published: str | None = None  # its earliest article's publication time
    seen: str | None = None  # when its earliest article was first ingested


@dataclass(frozen=True, slots=True)
class FactChange(Record):
    """A fact (row of the fact table) that is new: what it is about and who reports what."""

    fact: str
    kind: str
    subject: str
    status: str
    outlets: tuple[str, ...]
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RevisedValue(Record):
    """One outlet's value of one fact, changed between the two analyses.

    `correction` is True when the new value comes from a newer text of the very page that gave
    the old one: the outlet edited its article (often silently) rather than publishing a
    follow-up. `old_text`/`new_text` are the sentences that state each value.
    """

    fact: str
    kind: str
    subject: str
    outlet: str
    old: str
    new: str
    old_text: str
    new_text: str
    old_sources: tuple[str, ...]
    new_sources: tuple[str, ...]
    old_published: str | None = None
    new_published: str | None = None
    old_seen: str | None = None
    new_seen: str | None = None
    correction: bool = False


@dataclass(frozen=True, slots=True)
class ConflictValue(Record):
    value: str
    outlets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConflictChange(Record):
    """A discrepancy that appeared (or was resolved): its subject and each value with its outlets."""

    kind: str
    subject: str
    values: tuple[ConflictValue, ...]


@dataclass(frozen=True, slots=True)
class UpdatedArticle(Record):
    """An article the story now reads in a newer text of the same page (the outlet edited it)."""

    outlet: str
    url: str | None
    old: str
    new: str
    old_seen: str | None = None
    new_seen: str | None = None


@dataclass(frozen=True, slots=True)
class VersionRef(Record):
    version: int
    analysed_at: str


@dataclass(frozen=True, slots=True)
class StoryChanges(Record):
    """Everything that changed in one story from version `baseline` (None: nothing) to `latest`."""

    story: str
    title: str
    since: str | None = None
    baseline: VersionRef | None = None
    latest: VersionRef | None = None
    new_outlets: tuple[OutletChange, ...] = ()
    dropped_outlets: tuple[OutletChange, ...] = ()
    new_facts: tuple[FactChange, ...] = ()
    revised_values: tuple[RevisedValue, ...] = ()
    conflicts_appeared: tuple[ConflictChange, ...] = ()
    conflicts_resolved: tuple[ConflictChange, ...] = ()
    brief_added: tuple[str, ...] = ()
    brief_dropped: tuple[str, ...] = ()
    updated_articles: tuple[UpdatedArticle, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing a reader would see changed."""
        return not (self.new_outlets or self.dropped_outlets or self.new_facts or self.revised_values
                    or self.conflicts_appeared or self.conflicts_resolved or self.brief_added
                    or self.brief_dropped or self.updated_articles)


def _key(text: str) -> str:
    return normalise_space(text).casefold()


def _outlet_of(story: Story) -> dict[str, str]:
    """Article id -> outlet as printed, for the story's articles."""
    return {a.id: display_outlet(a.outlet, a.url, a.id) for a in story.articles}


def _outlets(story: Story | None, versions: Mapping[str, ArticleVersion]) -> dict[str, OutletChange]:
    if story is None:
        return {}
    grouped: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for a in story.articles:
        first = versions[a.id].seen if a.id in versions else None
        grouped.setdefault(display_outlet(a.outlet, a.url, a.id), []).append((a.id, a.published, first))
    out: dict[str, OutletChange] = {}
    for outlet, rows in grouped.items():
        published = sorted(p for _, p, _ in rows if p)
        seen = sorted(t for _, _, t in rows if t)
        out[outlet] = OutletChange(outlet=outlet, articles=tuple(i for i, _, _ in rows),
                                   published=published[0] if published else None, seen=seen[0] if seen else None)
    return out


def _cell_sig(cell: FactCell) -> tuple[str, str, str]:
    return (cell.outlet, _key(cell.value), _key(cell.text))


def _pages(cell: FactCell, versions: Mapping[str, ArticleVersion]) -> frozenset[str]:
    return frozenset(v.identity for s in cell.sources if (v := versions.get(s)) is not None and v.identity)


def match_facts(old: Sequence[Fact], new: Sequence[Fact],
                versions: Mapping[str, ArticleVersion] | None = None) -> list[tuple[Fact, Fact]]:
    """Pair each fact of the new analysis with the same fact in the old one, where there is one.

    Tried in order, each on what the earlier steps left unpaired: the same id (nothing about
    it changed); the same kind and subject; the same kind and the most cells in which an outlet
    says the same value in the same sentence (at least one); the same kind, the same outlets, and
    each outlet's cell read from the same pages (a fact only edited pages report, its subject
    reworded by the edit).
    """
    versions = versions or {}
    pairs: list[tuple[Fact, Fact]] = []
    left_old = list(old)
    left_new = list(new)

    def take(pick: Callable[[Fact, list[Fact]], Fact | None]) -> None:
        nonlocal left_old, left_new
        still: list[Fact] = []
        for f in left_new:
            match = pick(f, left_old)
            if match is None:
                still.append(f)
            else:
                pairs.append((match, f))
                left_old = [o for o in left_old if o is not match]
        left_new = still

    take(lambda f, olds: next((o for o in olds if o.id == f.id), None))
    take(lambda f, olds: next((o for o in olds if o.kind == f.kind and _key(o.subject) == _key(f.subject)), None))

    def by_cells(f: Fact, olds: list[Fact]) -> Fact | None:
        mine = {_cell_sig(c) for c in f.cells}
        scored = [(len(mine & {_cell_sig(c) for c in o.cells}), -k, o) for k, o in enumerate(olds) if o.kind == f.kind]
        best = max(scored, key=lambda t: (t[0], t[1]), default=None)
        return best[2] if best is not None and best[0] >= 1 else None

    take(by_cells)

    def by_pages(f: Fact, olds: list[Fact]) -> Fact | None:
        mine = {c.outlet: _pages(c, versions) for c in f.cells}
        if not all(mine.values()):
            return None
        for o in olds:
            theirs = {c.outlet: _pages(c, versions) for c in o.cells}
            if o.kind == f.kind and theirs.keys() == mine.keys() and all(theirs[k] & mine[k] for k in mine):
                return o
        return None

    take(by_pages)
    return pairs


def _earliest(ids: Iterable[str], get: Callable[[str], str | None]) -> str | None:
    times = sorted(t for i in ids if (t := get(i)))
    return times[0] if times else None


def _revisions(old: Fact, new: Fact, versions: Mapping[str, ArticleVersion],
               published: Mapping[str, str | None]) -> list[RevisedValue]:
    if new.kind in WORDING_KINDS:
        return []
    before = {c.outlet: c for c in old.cells}
    out: list[RevisedValue] = []
    for cell in new.cells:
        was = before.get(cell.outlet)
        if was is None or _key(was.value) == _key(cell.value):
            continue
        old_pages = {s: versions[s] for s in was.sources if s in versions}
        correction = any(
            (v := versions.get(s)) is not None and v.identity is not None and s not in was.sources
            and any(o.identity == v.identity for o in old_pages.values())
            for s in cell.sources
        )

        def seen(i: str) -> str | None:
            return versions[i].seen if i in versions else None

        out.append(RevisedValue(
            fact=new.id, kind=new.kind, subject=new.subject, outlet=cell.outlet, old=was.value, new=cell.value,
            old_text=was.text, new_text=cell.text, old_sources=was.sources, new_sources=cell.sources,
            old_published=was.published or _earliest(was.sources, lambda i: published.get(i)),
            new_published=cell.published or _earliest(cell.sources, lambda i: published.get(i)),
            old_seen=_earliest(was.sources, seen), new_seen=_earliest(cell.sources, seen), correction=correction,
        ))
    return out


def _conflicts(story: Story | None) -> dict[tuple[str, str], Discrepancy]:
    if story is None:
        return {}
    return {(d.kind, _key(d.subject)): d for d in story.discrepancies}


def _conflict(d: Discrepancy, outlet_of: Mapping[str, str]) -> ConflictChange:
    values = tuple(
        ConflictValue(value=v.value, outlets=tuple(dict.fromkeys(outlet_of.get(s, s) for s in v.sources)))
        for v in d.values
    )
    return ConflictChange(kind=d.kind, subject=d.subject, values=values)


def story_changes(old: Story | None, new: Story, versions: Mapping[str, ArticleVersion] | None = None,
                  baseline: VersionRef | None = None, latest: VersionRef | None = None,
                  since: str | None = None) -> StoryChanges:
    """What changed in `new` since `old` (None: the story did not exist then, so all of it is new).

    Args:
        old: the story as analysed at the reader's last look.
        new: the story as analysed now.
        versions: article id -> its version record (`Store.versions_of`) for the articles of
            both; it gives the times each text was first seen and tells an edited page (a
            correction) from a follow-up article. Missing ids only lose those details.
        baseline, latest, since: carried into the result as given, to say what was compared.

    Example:
        >>> story_changes(None, Story(id="s1", title="Quake", articles=())).empty
        True
    """
    versions = versions or {}
    before_outlets, now_outlets = _outlets(old, versions), _outlets(new, versions)
    published = {a.id: a.published for s in (old, new) if s is not None for a in s.articles}
    pairs = match_facts(old.facts if old else (), new.facts, versions)
    paired_new = {id(f) for _, f in pairs}
    new_facts = tuple(
        FactChange(fact=f.id, kind=f.kind, subject=f.subject, status=f.status,
                   outlets=tuple(c.outlet for c in f.cells), values=tuple(c.value for c in f.cells))
        for f in new.facts if id(f) not in paired_new
    )
    revised = tuple(r for o, f in pairs for r in _revisions(o, f, versions, published))
    was, now = _conflicts(old), _conflicts(new)
    old_outlet_of = _outlet_of(old) if old else {}
    new_outlet_of = _outlet_of(new)
    brief_before = {_key(b.text) for b in (old.brief if old else ())}
    brief_now = {_key(b.text) for b in new.brief}
    old_by_page: dict[str, str] = {}
    for a in old.articles if old else ():
        v = versions.get(a.id)
        if v is not None and v.identity:
            old_by_page[v.identity] = a.id
    updated = []
    for a in new.articles:
        v = versions.get(a.id)
        prior = old_by_page.get(v.identity) if v is not None and v.identity else None
        if v is not None and prior is not None and prior != a.id:
            updated.append(UpdatedArticle(outlet=new_outlet_of[a.id], url=a.url, old=prior, new=a.id,
                                          old_seen=versions[prior].seen if prior in versions else None,
                                          new_seen=v.seen))
    return StoryChanges(
        story=new.id, title=new.title, since=since, baseline=baseline, latest=latest,
        new_outlets=tuple(c for o, c in now_outlets.items() if o not in before_outlets),
        dropped_outlets=tuple(c for o, c in before_outlets.items() if o not in now_outlets),
        new_facts=new_facts,
        revised_values=revised,
        conflicts_appeared=tuple(_conflict(d, new_outlet_of) for k, d in now.items() if k not in was),
        conflicts_resolved=tuple(_conflict(d, old_outlet_of) for k, d in was.items() if k not in now),
        brief_added=tuple(b.text for b in new.brief if _key(b.text) not in brief_before),
        brief_dropped=tuple(b.text for b in (old.brief if old else ()) if _key(b.text) not in brief_now),
        updated_articles=tuple(updated),
    )


__all__ = [
    "WORDING_KINDS",
    "ConflictChange",
    "ConflictValue",
    "FactChange",
    "OutletChange",
    "RevisedValue",
    "StoryChanges",
    "UpdatedArticle",
    "VersionRef",
    "match_facts",
    "story_changes",
]
