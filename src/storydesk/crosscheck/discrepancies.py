"""Find where the articles of one story give the same fact different values.

Takes a `StoryIndex` (candidate sentences, embeddings, figures) and the aligned claims, and
returns `Discrepancy` records, each listing every value with its articles and exact text.

The one idea: a figure is matched with at most one figure of each other article -- the most
similar sentence stating a comparable figure (same unit, same counted event) -- and only matched
figures are compared. Matching first, comparing second keeps "two children killed" in Iran's
strike from being set against "seven killed" in Pakistan's. No NLI model is needed.

Not flagged (each a trap family of the crosscheck-gold README): killed vs injured, km vs miles and
dollars vs euros (not `comparable`), a range or bound that contains the other value, hedged
round figures that cover the other (`compatible`), an explicit update ("rose to 10") against a
figure it does not claim to update, a subset/superset count ("including the gunman"), ages a year
apart, and figures about different sub-events (the two sentences name different magnitudes or
weekdays).

Besides figures: names spelt differently (`name_discrepancies`), and where one victim died
("at the scene" / "on the way to hospital", `death_place_discrepancies`), whose statements are
matched as figures are: similar sentences, one statement per article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from storydesk.crosscheck.claims import StoryIndex, attribution_of
from storydesk.crosscheck.numbers import Quantity, comparable, compatible
from storydesk.records import Claim, Discrepancy, DiscrepancyValue, Entity, Passage

# Two reports of one figure differ by a few times at most (the crosscheck-gold discrepancies by
# 1.6 at the most: 120,000 / 200,000); figures more than MAX_RATIO apart (12 and 26,000 killed,
# a $75,000 income cap and a $350 billion budget) count different things.
MAX_RATIO = 10.0
# Lowest sentence cosine at which two comparable figures are taken to be about one fact.
# Measured on bench/crosscheck_gold.py (dev portion), sweeping 0.35-0.65: lower finds more
# discrepancies but starts setting figures of different sub-events against each other.
MATCH_MIN_SIM = 0.45
# Figures whose counted thing is unknown or differs ("6.9 million" vs "6.8 million claims") are
# matched only on stronger context; times and durations too (many unrelated times in a story).
LOOSE_MIN_SIM = 0.65
# The same figure for the same kind of thing is itself evidence of one fact ("Anwar, 66" / "A
# 66-year-old Uber Eats driver"), so it needs less context in common; such a match can only
# make an agreement, never a discrepancy on its own. Clock times too: three reports that the
# gunman came in "around 10 a.m." / "about 10 a.m." share few words besides the time
# (crosscheck-gold dev: 0.27-0.35 where LOOSE_MIN_SIM asked 0.65).
SAME_VALUE_MIN_SIM = 0.30
# A distinctive figure ("220-211", "17:06", "110 billion euros", "612") stated alike by two
# articles of one story is nearly always one fact, whatever the words around it: the headline
# "euro110 billion" and "bailout loans of 110 b. Euro" share little else. Measured on
# bench/crosscheck_gold.py (dev): the labelled agreements on times, votes and money sit at
# 0.22-0.45 combined similarity.
DISTINCT_MIN_SIM = 0.12

# Weekdays and months named in a sentence date the event it reports: two sentences naming
# different ones (and none in common) report different events ("a December assault that killed
# 11" is not the January bombing that killed 84).
# Mean figure similarity across two groups of figures before they merge into one fact (an
# average-link guard against chaining). Measured on bench/crosscheck_gold.py (dev): 0.45 kept
# "five injured" (two reports) apart from "two injured" (two others) of one quake; 0.40 joins
# them and flags no extra trap; 0.37 adds nothing more.
GROUP_MIN_SIM = 0.40
# Largest gap between two reported magnitudes of one quake: crosscheck-gold (dev) labels 5.9 vs
# 6.1 as one quake reported differently and 5.6 vs 5.2 as two quakes. Two magnitudes further
# apart are never matched (an aftershock's 3.8 is not the main shock's 5.9 misreported): on
# crosscheck-gold (dev) that let the USGS 6.1 pair with the other outlets' 5.9 instead of with
# a background quake's 5.4.
MAGNITUDE_SPREAD = 0.25
_WEEKDAY = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|july|"
    r"august|september|october|november|december)\b",
    re.I,
)
_SUBJECT = {
    "count:killed": "people killed",
    "count:injured": "people injured",
    "count:arrested": "people arrested",
    "count:missing": "people missing",
    "count:displaced": "people displaced",
    "mag": "magnitude",
    "age": "age",
    "time": "time",
    "duration": "duration",
    "%": "percentage",
    "tally": "vote or score",
    "km": "distance (km)",
    "mi": "distance (miles)",
}

Mention = tuple[int, int]  # (candidate sentence index, quantity index)


def figure_similarity(index: StoryIndex, a: Mention, b: Mention) -> float:
    """Mean of the sentences' and the figures' own contexts' cosine similarity.

    (Adding IDF-weighted word overlap was tried on the seeds and did not separate same-fact
    figure pairs from different-fact ones any better, so it is left out.)
    """
    ctx = float(index.figure_sims[index.figure_row[a], index.figure_row[b]])
    return 0.5 * float(index.sims[a[0], b[0]]) + 0.5 * ctx


def _different_subevent(index: StoryIndex, i: int, j: int, key: str) -> bool:
    """Do the two sentences name different magnitudes, weekdays or months (so, different events)?"""
    qi = [q for q in index.quantities[i] if q.unit == "mag" and q.key != key]
    qj = [q for q in index.quantities[j] if q.unit == "mag" and q.key != key]
    if key != "mag" and bool(qi) != bool(qj) and not _shared_month(index, i, j):
        # one sentence names its quake; the other's is the one its article opens with, unless
        # the two name the same month ("That temblor ... in September": a background quake)
        qi, qj = qi or _lead_magnitude(index, i), qj or _lead_magnitude(index, j)
    # agencies measure one quake a few tenths apart (5.9 / 6.1): only a wider gap is another quake
    if qi and qj and not any(abs(a.value - b.value) <= MAGNITUDE_SPREAD for a in qi for b in qj):
        return True
    di = _days_named(index.sentences[i].text)
    dj = _days_named(index.sentences[j].text)
    for names in (_DAY_NAMES, _MONTH_NAMES):
        a, b = di & names, dj & names
        if a and b and not a & b:
            return True
    return False


# Evidence that two sentences report one event when both name the same month. Measured on
# bench/crosscheck_gold.py (dev): lifts the September quake's injured (40 / almost 50) over
# MATCH_MIN_SIM, and no trap.
SHARED_DATE_BONUS = 0.05


@lru_cache(maxsize=8192)
def _days_named(text: str) -> frozenset[str]:
    """Weekdays and months named in `text`, lower-cased. Memoised: figure matching asks it of
    the same sentences for every pair of figures (the 1,000-article bench/throughput.py
    corpus: 46,228 calls for 1,567 sentences, 0.7 s of regex)."""
    return frozenset(d.lower() for d in _WEEKDAY.findall(text))


def _months(index: StoryIndex, i: int) -> frozenset[str]:
    return _days_named(index.sentences[i].text) & _MONTH_NAMES


def _shared_month(index: StoryIndex, i: int, j: int) -> bool:
    return bool(_months(index, i) & _months(index, j))


def _lead_magnitude(index: StoryIndex, i: int) -> list[Quantity]:
    """The first magnitude stated in sentence i's article (its main quake), if any."""
    art = index.sentences[i].article
    for k, s in enumerate(index.sentences):
        if s.article == art:
            mags = [q for q in index.quantities[k] if q.unit == "mag"]
            if mags:
                return mags[:1]
    return []


_DAY_NAMES = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
_MONTH_NAMES = frozenset(
    {"january", "february", "march", "april", "june", "july", "august", "september", "october", "november",
     "december"}
)


def _loosely_comparable(a: Quantity, b: Quantity) -> bool:
    """Counts of unknown or differently named things, or the same distinctive figure."""
    if a.unit or b.unit or a.bound == "tally" or b.bound == "tally":
        return False
    if a.value == b.value and a.value >= 100 and _significant(a.value) >= 2:
        return True  # "943,000 jobs" / "943,000 workers": the figure itself identifies the fact
    # a count of a named thing ("seven villages") is never set against a count of people
    # killed or injured: only a count whose subject is unknown matches loosely
    return not ((a.predicate or a.noun) and (b.predicate or b.noun))


def _significant(v: float) -> int:
    digits = f"{v:.6f}".rstrip("0").rstrip(".").replace(".", "").lstrip("0").rstrip("0")
    return len(digits)


def distinctive(q: Quantity) -> bool:
    """A figure unlikely to recur by chance in one story: a vote or score, a clock time off the
    hour, an amount of money, or a count or measure with two or more significant digits."""
    if q.bound == "tally":
        return True
    if q.unit == "time":
        return q.value % 60 != 0
    if q.unit in ("age", "duration"):
        return False
    if q.unit in _CURRENCIES:
        return True
    if not float(q.value).is_integer():
        return True
    return q.value >= 100 and _significant(q.value) >= 2


_CURRENCIES = frozenset({"USD", "EUR", "GBP", "JPY", "CNY", "INR", "RUB", "CHF"})


def _value_key(q: Quantity) -> tuple[float, str, float | None]:
    return (q.value, q.bound, q.second)


def _same_value(a: Quantity, b: Quantity) -> bool:
    """One value, hedged alike, whatever the hedge word ("about 10 a.m." / "around 10 a.m.")."""
    return a.label() == b.label() or _value_key(a) == _value_key(b)


def required_similarity(a: Quantity, b: Quantity) -> float | None:
    """How similar the contexts of two figures must be to match them, or None: never."""
    if comparable(a, b):
        if _same_value(a, b):
            if distinctive(a):
                return DISTINCT_MIN_SIM
            return SAME_VALUE_MIN_SIM
        return LOOSE_MIN_SIM if a.unit in ("time", "duration") else MATCH_MIN_SIM
    if _loosely_comparable(a, b):
        return LOOSE_MIN_SIM
    return None


_NAME = re.compile(r"(?<=[\w,;:)] )[A-Z][A-Za-z]+")


def _names(text: str) -> set[str]:
    """Capitalised words not opening the text, cut to 4 letters ("Iran" ~ "Iranian"); weekdays
    and titles name no place or party (a month does: it names the event "a December assault")."""
    return {w[:4].lower() for w in _NAME.findall(text)} - _NOT_NAMES


_NOT_NAMES = frozenset(
    w[:4]
    for w in [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "president",
        "prime", "minister", "secretary", "senator", "governor", "mayor", "chief", "police", "officials",
    ]
)


# An appositive that hands the figure after it to the name before it: "Bandar Abbas, a city of
# 500,000", "Qeshm Island, home to 120,000 people", "Lyon, with a population of 500,000",
# "Dover (population 30,000)". The name is the figure's own subject, even where the words
# around the figure also name another place ("Qeshm island, home to 120,000 people, and the city
# of Bandar Abbas").
_APPOSITIVE_HEAD = re.compile(
    r"(?<![\w'’-])(?P<head>(?:[A-Z][\w'’-]*\s+){0,3}[A-Z][\w'’-]*)(?:\s+[a-z]+)?\s*"
    r"(?:,\s*(?:(?:which|that)\s+(?:is\s+home\s+to|has|had)|home\s+to|with\s+(?:an?\s+)?(?:estimated\s+)?population\s+of|"
    r"(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,3}?(?:city|town|port|island|village|province|country|state|region|"
    r"nation|capital|district|county|community|municipality|suburb|metropolis|territory|enclave)\s+of)"
    r"|\s*\(\s*(?:population|pop\.))"
    r"\s+(?:(?:a|an|some|about|around|roughly|nearly|almost|over|more|than|estimated|approximately|"
    r"population|of|just|under)\s+)*$"
)
# Capitalised words that open a clause without naming anything ("The island, which has ...").
_NOT_HEAD = frozenset({"the", "a", "an", "this", "that", "its", "it", "his", "her", "their", "our", "one"})


@lru_cache(maxsize=8192)
def _owner_in(before: str) -> frozenset[str]:
    m = _APPOSITIVE_HEAD.search(before)
    if not m:
        return frozenset()
    words = [w for w in m.group("head").split() if w.lower() not in _NOT_HEAD]
    return frozenset(w[:4].lower() for w in words) - _NOT_NAMES


def figure_owner(text: str, q: Quantity) -> frozenset[str]:
    """Names (cut to 4 letters, as `_names`) of the place or party an appositive gives the figure
    to ("Bandar Abbas, a city of 500,000" -> {"band", "abba"}); empty when no appositive does."""
    return _owner_in(text[max(0, q.start - 90) : q.start])


def different_names(
    index: StoryIndex, a: Mention, b: Mention, common: frozenset[str] = frozenset(), strict: bool = False
) -> bool:
    """Do two figures' words name different places or people (Athens vs Heraklion)?

    First the names an appositive gives each figure to ("Bandar Abbas, a city of 500,000"):
    two different ones are two subjects, however common the names are in the story. Then the
    words around each figure; failing names there, the whole sentences, leaving out
    `common`: names most of the story's articles use (the two countries of a conflict), which
    tell no fact from another. `strict` (for a bound that merely covers a different figure,
    "at least 9" and "84") also calls names used by one side only different.
    """
    oa = figure_owner(index.sentences[a[0]].text, index.quantities[a[0]][a[1]])
    ob = figure_owner(index.sentences[b[0]].text, index.quantities[b[0]][b[1]])
    if oa and ob:
        return not oa & ob
    na = _names(index.figure_text[index.figure_row[a]]) - common
    nb = _names(index.figure_text[index.figure_row[b]]) - common
    if na and nb:
        return not na & nb
    if not strict:
        # names elsewhere in the sentences say little: a headline names "French", the body
        # "Harry Winston", and both state the haul of one heist
        return False
    na = _names(index.sentences[a[0]].text) - common
    nb = _names(index.sentences[b[0]].text) - common
    # a name only one side uses (Kerman) marks a fact the other sentence does not state
    return bool((na or nb) and not na & nb)


def _near_names(index: StoryIndex, m: Mention, q: Quantity) -> set[str]:
    """Names within about a dozen words before and a few after a figure."""
    text = index.sentences[m[0]].text
    return _names(text[max(0, q.start - 90) : q.end + 40])


def common_names(index: StoryIndex) -> frozenset[str]:
    """Names used by at least half of the story's independent articles."""
    by_root: dict[str, set[str]] = {}
    for s in index.sentences:
        by_root.setdefault(index.root[s.article], set()).update(_names(s.text))
    counts: dict[str, int] = {}
    for names in by_root.values():
        for n in names:
            counts[n] = counts.get(n, 0) + 1
    return frozenset(n for n, c in counts.items() if c >= max(2, len(by_root) / 2))


# What a change is measured against: "a 36% increase from February", "up 5% over March 2020".
_BASELINE = re.compile(r"^\W{0,3}(?:[\w-]+\s+){0,2}?(?:from|over|compared\s+(?:with|to)|versus|vs\.?)\s", re.I)
_WHEN_WORD = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"(?:19|20)\d\d)\b",
    re.I,
)


def _baseline(text: str, q: Quantity) -> set[str]:
    """Months and years named as what a change is measured against ("from February"), empty
    when the text names none (relative baselines, "the previous month", cannot be compared)."""
    after = text[q.end : q.end + 90]
    m = _BASELINE.match(after)
    if not m:
        return set()
    rest = re.split(r"[;:!?]|\.(?:\s|$)|, (?:when|while|as|but|and)\b", after[m.end() :])[0]
    return {w.lower() for w in _WHEN_WORD.findall(rest)}


def _covers_other(a: Quantity, b: Quantity) -> bool:
    """A bound or hedge that merely covers a different figure ("at least 9" and 84): the
    case where a name on one side only is enough to keep the two facts apart. The same figure
    with and without a hedge ("about 200,000" / "200,000") is no such case."""
    return a.value != b.value and compatible(a, b)


def _may_pair(index: StoryIndex, i: int, j: int, a: Quantity, b: Quantity) -> bool:
    if a.unit == "mag" and b.unit == "mag" and abs(a.value - b.value) > MAGNITUDE_SPREAD:
        return False  # 5.2 and 5.6 (or an aftershock's 3.8) are two quakes, not one measured twice
    if min(a.value, b.value) > 0 and max(a.value, b.value) > MAX_RATIO * min(a.value, b.value):
        return False  # "more than 12" and "more than 26,000" killed: two disasters, not one toll
    if a.update != b.update:
        return False  # "rose to 10" updates the earlier figure; it does not contradict it
    if a.forecast != b.forecast or a.rate != b.rate:
        return False  # "expected to fall 12.3%" vs "fell 16.4%"; "1,500 deaths a day" vs "279 deaths"
    if a.unit == "age" and b.unit == "age" and _sexes_clash(
        _age_of(index.sentences[i].text, a), _age_of(index.sentences[j].text, b)
    ):
        return False  # "a 63-year-old woman" and "a 48-year-old man" are two people's ages
    if a.scoped != b.scoped:
        return False  # "four (including the shooter)" counts a different set than "three"
    if a.unit == "%":
        ba, bb = _baseline(index.sentences[i].text, a), _baseline(index.sentences[j].text, b)
        if ba and bb and not ba & bb:
            return False  # "36% from February" and "25% from March 2020" measure different changes
    return not _different_subevent(index, i, j, a.key)


def _states_too(index: StoryIndex, m: Mention, q: Quantity) -> bool:
    """Does figure `m`'s sentence also state `q`'s value in another figure of its kind? ("35%
    people of color and 53% female" against another outlet's "35%": the 53% is another measure,
    and "police said 20,000, organisers 50,000" does not contradict an outlet giving 50,000.)"""
    return any(
        k != m[1] and o.value == q.value
        # comparable, or the same bare number with its noun left out ("organisers said 60,000")
        and (comparable(o, q) or (o.unit == q.unit and not o.noun and not o.predicate))
        for k, o in enumerate(index.quantities[m[0]])
    )


def _age_of(text: str, q: Quantity) -> frozenset[str]:
    """The words right after an age ("a 63-year-old woman" -> {"woman"}): whom it is of."""
    words = re.findall(r"[a-z]+", text[q.end : q.end + 30].lower())
    return frozenset([w for w in words if w not in ("year", "years", "old")][:2])


def _sexes_clash(a: Iterable[str], b: Iterable[str]) -> bool:
    """Do two descriptions name a woman and a man ("woman" / "man", "she" / "his")?"""
    la, lb = {w.lower() for w in a}, {w.lower() for w in b}
    return bool((la & _FEMALE and lb & _MALE) or (la & _MALE and lb & _FEMALE))


def match_figures(index: StoryIndex, claim_of: Mapping[int, str]) -> list[tuple[float, Mention, Mention]]:
    """Matches of comparable figures between every two independent articles: each figure's
    best partner in each other article."""
    by_root: dict[str, list[Mention]] = {}
    for i, qs in enumerate(index.quantities):
        r = index.root[index.sentences[i].article]
        for k in range(len(qs)):
            by_root.setdefault(r, []).append((i, k))
    roots = sorted(by_root)
    common = common_names(index)
    matches: list[tuple[float, Mention, Mention]] = []
    for x in range(len(roots)):
        for y in range(x + 1, len(roots)):
            cands: list[tuple[float, Mention, Mention]] = []
            for ma in by_root[roots[x]]:
                qa = index.quantities[ma[0]][ma[1]]
                for mb in by_root[roots[y]]:
                    qb = index.quantities[mb[0]][mb[1]]
                    need = required_similarity(qa, qb)
                    if need is None:
                        continue
                    sim = figure_similarity(index, ma, mb)
                    if _shared_month(index, ma[0], mb[0]):
                        sim += SHARED_DATE_BONUS  # "in September" on both sides: one dated event
                    if sim < need or not _may_pair(index, ma[0], mb[0], qa, qb):
                        continue
                    if qa.label() != qb.label() and (_states_too(index, ma, qb) or _states_too(index, mb, qa)):
                        continue  # its own sentence also gives the other's value: no disagreement
                    if qa.label() != qb.label() and different_names(
                        index, ma, mb, common, strict=_covers_other(qa, qb)
                    ):
                        continue  # "84" (Kerman) and "at least 9" (the strikes): different facts
                    score = sim
                    if qa.noun and qa.noun == qb.noun:
                        score += 0.1
                    if compatible(qa, qb):
                        score += 0.05
                    if _near_names(index, ma, qa) & _near_names(index, mb, qb):
                        score += 0.1  # both figures' clauses name one place or party ("Kerman")
                    if claim_of.get(ma[0]) is not None and claim_of.get(ma[0]) == claim_of.get(mb[0]):
                        score += 0.1
                    cands.append((score, ma, mb))
            # each figure links to its best partner in the other article (both directions)
            best: dict[Mention, tuple[float, Mention, Mention]] = {}
            for c in cands:
                for m in (c[1], c[2]):
                    if m not in best or c[0] > best[m][0]:
                        best[m] = c
            matches.extend(sorted(set(best.values()), key=lambda c: (-c[0], c[1], c[2])))
    return matches


def _restates(index: StoryIndex, ma: Sequence[Mention], mb: Sequence[Mention]) -> bool:
    """Does every figure of `ma` restate one of `mb` (same value, hedged or not)?"""
    qb = [index.quantities[m[0]][m[1]] for m in mb]
    return all(
        any(a.value == b.value and compatible(a, b) for b in qb)
        for a in (index.quantities[m[0]][m[1]] for m in ma)
    )


# A count added to one already given ("another 20,000 people marched in Thessaloniki", "a further
# 20,000"): it is a second fact, never the article restating its first figure of that kind.
_ADDITIVE = re.compile(r"\b(?:another|a\s+further|an\s+additional|a\s+second)\s+(?:[a-z]+\s+){0,2}$", re.I)


def _additive(index: StoryIndex, m: Mention) -> bool:
    """Is the figure marked as counted on top of another ("another 20,000")?"""
    q = index.quantities[m[0]][m[1]]
    return bool(_ADDITIVE.search(index.sentences[m[0]].text[max(0, q.start - 40) : q.start]))


def _same_article_clash(index: StoryIndex, x: Mention, y: Mention) -> bool:
    """Two figures of one article that cannot be one fact: in one sentence, incompatible, or
    one of them counted on top of the other ("as many as 20,000 in Athens" ... "a further
    20,000 in Thessaloniki")."""
    if index.sentences[x[0]].article != index.sentences[y[0]].article:
        return False
    if x[0] == y[0] or _additive(index, x) or _additive(index, y):
        return True
    return not compatible(index.quantities[x[0]][x[1]], index.quantities[y[0]][y[1]])


def group_figures(index: StoryIndex, matches: Sequence[tuple[float, Mention, Mention]]) -> list[list[Mention]]:
    """Grow facts from the strongest matches: no two clashing figures (or two figures of one
    sentence) from one article, no weak chaining."""
    parent: dict[Mention, Mention] = {}
    members: dict[Mention, list[Mention]] = {}

    def find(m: Mention) -> Mention:
        if m not in parent:
            parent[m] = m
            members[m] = [m]
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    common = common_names(index)
    for _score, a, b in sorted(matches, key=lambda t: (-t[0], t[1], t[2])):
        ga, gb = find(a), find(b)
        if ga == gb:
            continue
        ma, mb = members[ga], members[gb]
        if any(_same_article_clash(index, x, y) for x in ma for y in mb):
            continue  # an article restates its figure, it does not contradict itself
        if len(ma) + len(mb) > 2:
            cross = [figure_similarity(index, x, y) for x in ma for y in mb]
            la = {_value_key(index.quantities[m[0]][m[1]]) for m in ma}
            lb = {_value_key(index.quantities[m[0]][m[1]]) for m in mb}
            if len(la | lb) == 1:
                q0 = index.quantities[ma[0][0]][ma[0][1]]
                need = DISTINCT_MIN_SIM if distinctive(q0) else SAME_VALUE_MIN_SIM
            elif _restates(index, ma, mb) or _restates(index, mb, ma):
                # one side only restates values the other already has: it adds sources, no
                # new value, so weaker evidence will do (seed 000's "seven" joining 001's)
                need = MATCH_MIN_SIM - 0.1
            else:
                need = GROUP_MIN_SIM
            if sum(cross) / len(cross) < need:
                continue
            if any(_different_subevent(index, x[0], y[0], "") for x in ma for y in mb):
                continue
            if any(
                index.quantities[x[0]][x[1]].label() != index.quantities[y[0]][y[1]].label()
                # names on one side only keep a bound off a different figure where the two are
                # matched directly (match_figures); across a group the words around each
                # figure decide, or one outlet's extra name splits a fact the others agree on
                and different_names(index, x, y, common)
                for x in ma
                for y in mb
            ):
                continue  # joining would set figures about differently named things against each other
        if any(
            index.root[index.sentences[x[0]].article] != index.root[index.sentences[y[0]].article]
            and not _may_pair(
                index, x[0], y[0], index.quantities[x[0]][x[1]], index.quantities[y[0]][y[1]]
            )
            for x in ma
            for y in mb
        ):
            continue  # a third article's figure must not bridge an update, a subset or a sub-event
        parent[gb] = ga
        members[ga] = ma + mb
        del members[gb]
    return list(members.values())


def figure_subject(q: Quantity) -> str:
    """What a figure measures, in words, read off the figure rules ("people killed", "amount (USD)")."""
    if q.key in _SUBJECT:
        return _SUBJECT[q.key]
    if q.unit in ("USD", "EUR", "GBP", "JPY", "CNY", "INR", "RUB", "CHF"):
        return f"amount ({q.unit})"
    if q.key.startswith("count:"):
        return q.key[len("count:") :] or "count"
    return q.key


def figure_facts(
    index: StoryIndex, claims: Sequence[tuple[Claim, Sequence[int]]]
) -> tuple[list[list[Mention]], list[list[Mention]]]:
    """Matched figures grouped into facts: (groups that disagree, groups that agree)."""
    claim_of = {k: c.id for c, members in claims for k in members}
    clashing: list[list[Mention]] = []
    agreeing: list[list[Mention]] = []
    for members in group_figures(index, match_figures(index, claim_of)):
        qs = [(m, index.quantities[m[0]][m[1]]) for m in members]
        clash = any(
            not compatible(qa, qb)
            and index.root[index.sentences[ma[0]].article] != index.root[index.sentences[mb[0]].article]
            for x, (ma, qa) in enumerate(qs)
            for (mb, qb) in qs[x + 1 :]
        )
        (clashing if clash else agreeing).append(members)
    return clashing, agreeing


def agreeing_parts(index: StoryIndex, clashing: Sequence[Sequence[Mention]]) -> list[list[Mention]]:
    """Within facts the outlets disagree on, each value stated by two or more independent
    articles: "10 killed" from five outlets where a sixth says 2 is still a fact five agree on."""
    out: list[list[Mention]] = []
    for members in clashing:
        by_value: dict[tuple[float, str, float | None], list[Mention]] = {}
        for m in members:
            by_value.setdefault(_value_key(index.quantities[m[0]][m[1]]), []).append(m)
        for part in by_value.values():
            if len({index.root[index.sentences[m[0]].article] for m in part}) >= 2:
                out.append(part)
    return out


def find_discrepancies(
    index: StoryIndex,
    claims: Sequence[tuple[Claim, Sequence[int]]],
    clashing: Sequence[Sequence[Mention]] | None = None,
) -> tuple[Discrepancy, ...]:
    """Number, time and duration disagreements between matched figures of the story."""
    claim_of = {k: c.id for c, members in claims for k in members}
    if clashing is None:
        clashing = figure_facts(index, claims)[0]
    out: list[Discrepancy] = []
    for members in clashing:
        qs = [(m, index.quantities[m[0]][m[1]]) for m in members]
        by_label: dict[str, list[tuple[Mention, Quantity]]] = {}
        for m, q in sorted(qs, key=lambda t: (t[1].value, t[1].bound, t[0])):
            by_label.setdefault(q.label(), []).append((m, q))
        # a value compatible with every other ("roughly $1.4 trillion" beside $1.37 and $1.4
        # trillion, "at least 50" beside 70 and 80) disagrees with nobody: it is left out, as
        # the crosscheck-gold README leaves such values out of its discrepancies
        heads = {label: items[0][1] for label, items in by_label.items()}
        disagreeing = {
            label for label, q in heads.items() if any(not compatible(q, o) for x, o in heads.items() if x != label)
        }
        values = []
        for label, items in by_label.items():
            if label not in disagreeing:
                continue
            passages = tuple(
                Passage(
                    article=index.sentences[m[0]].article,
                    start=index.sentences[m[0]].start,
                    end=index.sentences[m[0]].end,
                    text=index.sentences[m[0]].text,
                )
                for m, _q in items
            )
            sources = tuple(sorted({index.root[p.article] for p in passages}))
            attributed = tuple(
                sorted({a for a in (attribution_of(p.text, index.before(p.article, p.start)) for p in passages) if a})
            )
            values.append(
                DiscrepancyValue(
                    value=label, text=passages[0].text, sources=sources, passages=passages, attributed_to=attributed
                )
            )
        first_q = qs[0][1]
        kind = "date" if first_q.unit in ("time", "duration") else "number"
        claim_ids = {c for m in members if (c := claim_of.get(m[0])) is not None}
        out.append(
            Discrepancy(
                kind=kind,
                subject=figure_subject(first_q),
                values=tuple(values),
                claim=sorted(claim_ids)[0] if len(claim_ids) == 1 else None,
            )
        )
    out.sort(key=lambda d: (d.kind, d.subject, [v.value for v in d.values]))
    return tuple(out)


_VOWELS = re.compile(r"[aeiouy]")


def _name_tokens(name: str) -> tuple[str, ...]:
    return tuple(t for t in (re.sub(r"[^a-z]", "", w) for w in name.lower().split()) if t)


def _spelled_differently(a: str, b: str) -> bool:
    """Do two variants of one name differ in more than case, punctuation or vowels?

    "Anthony LaCalamita" / "Anthony Calamita" do; transliterations ("Soleimani" / "Suleimani",
    "Amir-Abdollahian" / "Amirabdollahian") and a name with or without its first name or title
    ("Wolfe" / "Ilene Wolfe") do not, nor one word with and without an "s" ending: English writes
    a name's words in the singular, plural or possessive as the sentence needs ("Marshal
    Service" / "Marshals Service", "the AMA Council" / "the AMA's Council").
    """
    ta, tb = _name_tokens(a), _name_tokens(b)
    if not ta or not tb or set(ta) <= set(tb) or set(tb) <= set(ta) or len(ta) != len(tb):
        return False
    if "".join(ta) == "".join(tb):
        return False
    diff = [(x, y) for x, y in zip(ta, tb, strict=True) if x != y]
    if len(diff) != 1:
        return False  # a different first name and surname: not one name misspelt
    x, y = diff[0]
    if x + "s" == y or y + "s" == x:
        return False
    return _VOWELS.sub("", x) != _VOWELS.sub("", y) and (x in y or y in x)


def name_discrepancies(index: StoryIndex, entities: Sequence[Entity]) -> tuple[Discrepancy, ...]:
    """People and organisations whose name independent outlets spell differently (one drops a
    part of it: "Anthony LaCalamita" / "Anthony Calamita"), each spelling with its articles."""
    out: list[Discrepancy] = []
    for ent in entities:
        if ent.type not in ("PER", "ORG"):
            continue
        for x, va in enumerate(ent.variants):
            for vb in ent.variants[x + 1 :]:
                if not _spelled_differently(va, vb):
                    continue
                values = []
                for v in (va, vb):
                    pat = re.compile(r"(?<![\w-])" + re.escape(v) + r"(?![\w-])")
                    passages = tuple(
                        Passage(article=s.article, start=s.start, end=s.end, text=s.text)
                        for s in index.sentences
                        if pat.search(s.text)
                    )
                    first: dict[str, Passage] = {}
                    for p in passages:
                        first.setdefault(p.article, p)
                    kept = tuple(first.values())
                    if kept:
                        sources = tuple(sorted({index.root[p.article] for p in kept}))
                        values.append(DiscrepancyValue(value=v, text=kept[0].text, sources=sources, passages=kept))
                if len(values) == 2 and not set(values[0].sources) & set(values[1].sources):
                    kind = "person" if ent.type == "PER" else "org"
                    out.append(Discrepancy(kind=kind, subject=f"name of {ent.name}", values=tuple(values)))
    return tuple(out) + _swapped_initials(index)


# ---------------------------------------------------------------------- where a victim died

# Where a victim died, in the words outlets use: every wording maps to one place, so "died at the
# scene" / "was pronounced dead on the scene" agree and "died at the scene" / "died on the way to
# the hospital" disagree.
_DEATH_VERB = (
    r"\b(?:died|dies|was\s+(?:pronounced|declared|confirmed)\s+dead|"
    r"succumbed(?:\s+to\s+(?:his|her)\s+(?:wounds|injuries))?)"
    r"(?:\s+(?:later|instantly|immediately|(?:shortly|soon)\s+(?:after(?:wards?)?)|"
    r"(?:of|from)\s+(?:his|her)\s+(?:gunshot\s+)?(?:wounds|injuries)))*\s+"
)
_HOSPITAL = r"(?:[A-Z][\w'’.-]*\s+){0,4}(?:hospital|Hospital|medical\s+cent(?:er|re)|Medical\s+Cent(?:er|re))"
_DEATH_PLACES: tuple[tuple[str, str], ...] = (
    ("on the way to hospital",
     r"(?:on\s+(?:the|her|his)\s+way|en\s+route|while\s+being\s+(?:taken|rushed|driven|flown|transported))\s+"
     rf"to\s+(?:the\s+|a\s+)?(?:local\s+|nearby\s+)?{_HOSPITAL}|in\s+(?:the|an)\s+ambulance"),
    ("at the scene", r"(?:at|on)\s+the\s+scene\b"),
    ("in hospital", rf"(?:in|at)\s+(?:the\s+|a\s+)?(?:local\s+|nearby\s+)?{_HOSPITAL}"),
    ("at home", r"at\s+(?:his\s+|her\s+|the\s+family\s+)?home\b"),
)
_DEATH_PLACE = re.compile(
    _DEATH_VERB + "(?:" + "|".join(f"(?P<p{k}>{pat})" for k, (_label, pat) in enumerate(_DEATH_PLACES)) + ")"
)
# "was taken to hospital, where she died": the place precedes the verb.
_DIED_WHERE = re.compile(
    rf"\b(?:to|in|at)\s+(?:the\s+|a\s+)?{_HOSPITAL},?\s+where\s+(?P<subj>he|she)\s+(?:later\s+)?died"
)
# The subject ends at a clause boundary or a reporting verb ("She said the third victim died").
_SUBJECT_START = re.compile(
    r".*(?:[.;:!?\"“”(]|\b(?:said|says|told|reported|added|that|and|but|while|when|after|before))\s*", re.S
)
_FEMALE = frozenset({"she", "her", "woman", "girl", "mother", "wife", "daughter", "female", "sister", "grandmother"})
_MALE = frozenset({"he", "his", "man", "boy", "father", "husband", "son", "male", "brother", "grandfather"})
_POSTMODIFIER = frozenset({"by", "of", "at", "in", "on", "from", "with", "who", "which", "that", "near", "after"})
_ORDINALS = frozenset({"first", "second", "third", "fourth", "fifth", "another", "other", "last", "final"})
_MANY = frozenset({"they", "both", "all", "two", "three", "four", "five", "several", "many", "dozens", "others"})


def _death_subject(before: str) -> list[str] | None:
    """The words naming who died, from the text before the death verb, or None when they name
    several people ("Two workers", "They") or nobody."""
    aside = re.search(r",([^,]{1,80}),\s*$", before)  # "The woman, identified as X, died"
    if aside:
        if {w.lower() for w in re.findall(r"[A-Za-z]+", aside.group(1))} & _MANY:
            return None  # "Tom Tennant and William Hakim, both 51, died": two people
        before = before[: aside.start()] + " "
    m = _SUBJECT_START.match(before)
    words = re.findall(r"[A-Za-z][\w'’-]*|\d+", before[m.end() :] if m else before)[-12:]
    if not words:
        return None
    if any(w.lower() in _MANY or (w.isdigit() and w != "1") for w in words):
        return None
    # the noun phrase's core ends where a modifier after it starts ("A man hit by the crane")
    core = next((words[:k] for k, w in enumerate(words) if k and w.lower() in _POSTMODIFIER), words)
    head = core[-1]
    if head.islower() and head.endswith("s") and not head.endswith(("ss", "us", "is")):
        return None  # "the victims", "the workers at the plant" (a capital may be a name: Williams)
    return words


def death_places(text: str) -> list[tuple[str, list[str]]]:
    """Where `text` says one person died, with the words naming that person:
    "The woman died at the scene" -> [("at the scene", ["The", "woman"])]. A sentence telling
    where several people died ("two died at the scene, a third in hospital") gives none."""
    found: list[tuple[str, list[str] | None]] = []
    for m in _DEATH_PLACE.finditer(text):
        label = next(_DEATH_PLACES[k][0] for k in range(len(_DEATH_PLACES)) if m.group(f"p{k}"))
        found.append((label, _death_subject(text[: m.start()])))
    for m in _DIED_WHERE.finditer(text):
        found.append(("in hospital", [m.group("subj")]))
    if len(found) != 1:
        return []  # several deaths placed in one sentence: which one another outlet means is unknown
    label, subject = found[0]
    return [(label, subject)] if subject is not None else []


def _same_person_possible(a: Sequence[str], b: Sequence[str]) -> bool:
    """Can two subjects name one person? Not a woman and a man, nor two different names."""
    la, lb = {w.lower() for w in a}, {w.lower() for w in b}
    if _sexes_clash(la, lb):
        return False
    # "the first victim" / "the second victim", "another victim": counted apart by the outlets
    oa, ob = la & _ORDINALS, lb & _ORDINALS
    if oa and ob and oa != ob:
        return False
    na = {w.lower() for w in a[1:] if w[0].isupper()} - _NOT_HEAD
    nb = {w.lower() for w in b[1:] if w[0].isupper()} - _NOT_HEAD
    return not (na and nb and not na & nb)


def _attributions(index: StoryIndex, passages: Sequence[Passage]) -> tuple[str, ...]:
    found = (attribution_of(p.text, index.before(p.article, p.start)) for p in passages)
    return tuple(sorted({a for a in found if a}))


def death_place_discrepancies(index: StoryIndex) -> tuple[Discrepancy, ...]:
    """Independent outlets that put one victim's death in different places ("died at the
    scene" / "died on the way to the hospital"), each place with its articles.

    Two statements are taken to be about one death as two figures are to be about one fact:
    similar sentences (MATCH_MIN_SIM), each about one person, and nothing in their subjects
    telling two people apart (a woman and a man, two names). One statement per article.
    """
    found: list[tuple[int, str, list[str]]] = []
    for i, sent in enumerate(index.sentences):
        for label, subject in death_places(sent.text):
            found.append((i, label, subject))
    pairs = sorted(
        (
            (float(index.sims[a[0], b[0]]), x, y)
            for x, a in enumerate(found)
            for y, b in enumerate(found[x + 1 :], start=x + 1)
            if index.root[index.sentences[a[0]].article] != index.root[index.sentences[b[0]].article]
            and float(index.sims[a[0], b[0]]) >= MATCH_MIN_SIM
            and _same_person_possible(a[2], b[2])
        ),
        reverse=True,
    )
    group = list(range(len(found)))
    members: dict[int, list[int]] = {x: [x] for x in range(len(found))}
    for _sim, x, y in pairs:
        gx, gy = group[x], group[y]
        if gx == gy:
            continue
        ma, mb = members[gx], members[gy]
        if any(
            index.sentences[found[u][0]].article == index.sentences[found[v][0]].article
            or not _same_person_possible(found[u][2], found[v][2])
            for u in ma
            for v in mb
        ):
            continue  # one statement per article, and never two people's deaths in one group
        for v in mb:
            group[v] = gx
        members[gx] = ma + mb
        del members[gy]
    out: list[Discrepancy] = []
    for ms in members.values():
        by_label: dict[str, list[Passage]] = {}
        for x in sorted(ms, key=lambda x: found[x][0]):
            s = index.sentences[found[x][0]]
            passage = Passage(article=s.article, start=s.start, end=s.end, text=s.text)
            by_label.setdefault(found[x][1], []).append(passage)
        if len(by_label) < 2:
            continue
        values = tuple(
            DiscrepancyValue(
                value=label,
                text=passages[0].text,
                sources=tuple(sorted({index.root[p.article] for p in passages})),
                passages=tuple(passages),
                attributed_to=_attributions(index, passages),
            )
            for label, passages in sorted(by_label.items())
        )
        out.append(Discrepancy(kind="place", subject="where the victim died", values=values))
    return tuple(out)


_INITIALS = re.compile(r"(?<![\w&])[A-Z]{1,3}(?:\s?&\s?[A-Z]{1,3})+(?![\w&])")


def _swapped_initials(index: StoryIndex) -> tuple[Discrepancy, ...]:
    """A firm's initials given in another order by another outlet ("C&G" / "G&C"): the
    statistical NER does not see such names, so they are read off the text directly."""
    seen: dict[str, list[Passage]] = {}
    for s in index.sentences:
        for m in _INITIALS.finditer(s.text):
            key = m.group().replace(" ", "")
            if not any(p.article == s.article for p in seen.get(key, [])):
                seen.setdefault(key, []).append(Passage(article=s.article, start=s.start, end=s.end, text=s.text))
    out: list[Discrepancy] = []
    names = sorted(seen)
    for x, a in enumerate(names):
        for b in names[x + 1 :]:
            if sorted(a) != sorted(b):
                continue
            ra = {index.root[p.article] for p in seen[a]}
            rb = {index.root[p.article] for p in seen[b]}
            if ra & rb:
                continue  # one outlet uses both: two different firms, not a misspelling
            values = tuple(
                DiscrepancyValue(value=n, text=seen[n][0].text, sources=tuple(sorted(r)), passages=tuple(seen[n]))
                for n, r in ((a, ra), (b, rb))
            )
            out.append(Discrepancy(kind="org", subject=f"name of {a}", values=values))
    return tuple(out)


__all__ = [
    "DISTINCT_MIN_SIM",
    "LOOSE_MIN_SIM",
    "MATCH_MIN_SIM",
    "SAME_VALUE_MIN_SIM",
    "agreeing_parts",
    "common_names",
    "death_place_discrepancies",
    "death_places",
    "different_names",
    "distinctive",
    "figure_facts",
    "figure_similarity",
    "find_discrepancies",
    "group_figures",
    "match_figures",
    "name_discrepancies",
    "required_similarity",
]
