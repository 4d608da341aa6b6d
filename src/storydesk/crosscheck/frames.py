"""Quantity frames: what each figure counts, of whom, where, when and on whose word.

Takes a sentence's figures (read by the package's one number parser, `numbers.extract_quantities`,
which gives the value, the interval its hedge allows and the unit) and the sentence's dependency
parse (`storydesk.annotate`), and returns one `Frame` per figure:

- `noun`: the counted thing, the noun the figure modifies ("Three women" -> woman);
- `measure`: the event or state it measures, the verb or noun it hangs from ("were killed" -> kill,
  "a death toll of 84" -> toll), read up the tree, through coordination ("Three women and four
  children were killed": both figures measure *kill*, and each is `part` of a list);
- `holder`: names the figure belongs to ("Bandar Abbas, a city of 500,000", "Apple's 5%");
- `scope` and `time`: the places and dates of the figure's own clause (entities of the parse);
- `attribution`: who says so (the subject of a reporting verb above it, or "according to X").

The one idea: every relation comes from the parse's arcs, so the same reading holds for any
sentence the parser can read, not for the wordings someone looked at.
"""

from __future__ import annotations

from dataclasses import dataclass

from storydesk.annotate import ParsedSentence
from storydesk.crosscheck.lang import LanguageData, language_data
from storydesk.crosscheck.numbers import Quantity
from storydesk.records import Record

# Dependency labels by which a figure modifies the noun it counts.
_COUNTING = frozenset({"nummod", "quantmod", "compound", "amod", "nmod", "appos"})
# Labels that leave a clause: above these the figure's clause ends (scope and time are read inside).
_CLAUSE = frozenset({"ROOT", "ccomp", "advcl", "relcl", "xcomp", "acl", "conj", "parataxis", "csubj"})
_SCOPE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_TIME_LABELS = frozenset({"DATE", "TIME"})
_HOLDER_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "PERSON", "NORP"})
_AGENT_LABELS = frozenset({"GPE", "ORG", "PERSON", "NORP"})


@dataclass(frozen=True, slots=True)
class Frame(Record):
    """One figure of one sentence, with what it measures (see the module docstring)."""

    article: str
    sentence: int  # index of the sentence in the story's candidate list
    start: int  # offsets of the figure in the sentence text
    end: int
    text: str  # the figure as written: "at least nine"
    value: float
    low: float
    high: float
    unit: str  # currency code, unit, "time", "age", "" for a count
    label: str  # normalised value with its qualifier: "at least 9"
    noun: str = ""
    measure: str = ""
    measure_at: int = -1  # offset of the measure's token in the sentence, -1 when none
    measure_words: tuple[str, ...] = ()  # lemmas on the path from the figure to its clause's verb
    what: str = ""  # the measured thing in lemmas: verb, counted noun and its modifiers ("have bond debt")
    holder: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()
    time: tuple[str, ...] = ()
    attribution: str = ""
    part: bool = False  # one item of a list of counts ("three women and four children")
    update: bool = False  # an increment or revision ("two more", "rose to")
    marked: bool = False  # forecast, rate, scoped subset: never set against a plain total
    bound: str = "exact"
    language: str = "en"  # whose word lists read the frame (crosscheck/data/<language>.json)


def _subtree(p: ParsedSentence, root: int, within_clause: bool = False) -> set[int]:
    """The tokens below `root`; with `within_clause`, without the clauses nested in it."""
    kids: dict[int, list[int]] = {}
    for i, t in enumerate(p.tokens):
        if t.head != i:
            kids.setdefault(t.head, []).append(i)
    out, stack = set(), [root]
    while stack:
        i = stack.pop()
        if i in out:
            continue
        out.add(i)
        for k in kids.get(i, ()):
            t = p.tokens[k]
            if not within_clause or t.dep not in _CLAUSE or (t.dep == "conj" and t.pos != "VERB"):
                stack.append(k)
    return out


def _clause_root(p: ParsedSentence, i: int) -> int:
    """The verb heading the clause that token `i` sits in."""
    seen = set()
    while i not in seen:
        seen.add(i)
        t = p.tokens[i]
        if t.pos in ("VERB", "AUX") or t.dep in _CLAUSE or t.head == i:
            return i
        i = t.head
    return i


def _names_a_time(text: str) -> bool:
    """A date that names its day: with a digit or a name ("Thursday", "3 January"); "the previous
    week" or "last month" say only where a day sits from the writer's, and two outlets writing on
    different days may word one day differently."""
    words = [w for w in text.split() if w.lower() not in ("the", "a", "an")]
    return any(c.isdigit() for c in text) or any(w[:1].isupper() for w in words)


def _entities_in(p: ParsedSentence, tokens: set[int], labels: frozenset[str], skip: tuple[int, int]) -> tuple[str, ...]:
    out = []
    for e in p.entities:
        if e.label not in labels or (e.start < skip[1] and e.end > skip[0]):
            continue
        if any(p.tokens[i].start >= e.start and p.tokens[i].start < e.end for i in tokens):
            out.append(e.text)
    return tuple(dict.fromkeys(out))


def frame_of(
    p: ParsedSentence, q: Quantity, article: str, sentence: int, lang: LanguageData, language: str = "en"
) -> Frame:
    """The frame of figure `q` in parsed sentence `p` (offsets of `q` are into `p.text`)."""
    base = dict(
        article=article, sentence=sentence, start=q.start, end=q.end, text=q.text, value=q.value,
        low=q.low, high=q.high, unit=q.unit, label=q.label(), update=q.update,
        marked=q.forecast or q.rate or q.scoped, bound=q.bound, language=language,
    )
    head = p.span_head(q.start, q.end)
    if head is None:
        return Frame(**base)  # type: ignore[arg-type]
    toks = p.tokens
    span = set(p.token_at(q.start, q.end))
    # the counted noun: the figure modifies it ("nine people", "$5 million deal")
    anchor = head
    noun = ""
    h = toks[head]
    if h.dep in _COUNTING and h.head != head and toks[h.head].pos in ("NOUN", "PROPN") and h.head not in span:
        anchor = h.head
        noun = toks[anchor].lemma
    elif h.pos in ("NOUN", "PROPN") and h.tag not in ("CD",) and not h.text[:1].isdigit():
        noun = h.lemma  # "dozens", "hundreds": the figure is the noun
    if q.unit:
        # a measured figure's unit says what it counts ("85 million euros", "13 percent"): its
        # counted noun is only for counts, so "euro" never stands against "gem" or "%"
        noun = ""
    # a list of counts: "three women and four children" -- climb to the first conjunct
    part = False
    first = anchor
    while toks[first].dep == "conj" and toks[first].head != first:
        part = True
        first = toks[first].head
    if not part:
        part = any(
            t.dep == "conj" and t.head == anchor and any(k.head == j and k.tag == "CD" for k in toks)
            for j, t in enumerate(toks)
        )
    # the measure: climb from the counted phrase to the clause's verb, keeping content lemmas
    path: list[str] = []
    measure = ""
    measure_i = -1
    owners: set[int] = set()
    i = first
    seen: set[int] = set()
    while i not in seen:
        seen.add(i)
        t = toks[i]
        if t.pos in ("NOUN", "PROPN"):
            # "Bandar Abbas, a city of 500,000": the appositive's head owns the figure; so does a
            # possessive on the way up ("Apple's 5% stake")
            if t.dep == "appos":
                owners.add(t.head)
            owners.update(k for k, s in enumerate(toks) if s.head == i and s.dep == "poss")
        if i != first and t.pos in ("NOUN", "VERB", "ADJ", "PROPN") and t.lemma not in lang.light_words:
            path.append(t.lemma)
        if t.pos == "VERB" and t.lemma in lang.estimate_verbs and i != first:
            # "police put the march at 30,000", "officials estimated the damage at $2 million":
            # the figure measures the verb's object, and the verb only says who estimated
            obj = [k for k, o in enumerate(toks) if o.head == i and o.dep in ("dobj", "nsubjpass") and k not in span]
            if obj:
                measure, measure_i = toks[obj[0]].lemma, obj[0]
                path = [measure]
                break
        if t.pos == "VERB" and t.lemma not in lang.reporting_verbs and t.lemma not in lang.light_words and i != first:
            measure, measure_i = t.lemma, i
            break
        if t.head == i:
            break
        i = t.head
    if not measure and path:
        measure = path[0]
        measure_i = next((k for k in seen if k != first and toks[k].lemma == measure), -1)
    clause = _clause_root(p, first)
    # a verb of change or copula takes its subject as what is measured ("the toll rose to 84",
    # "the vote was 222-190")
    subj: list[int] = []
    if clause < len(toks):
        subj = [k for k, t in enumerate(toks) if t.head == clause and t.dep in ("nsubj", "nsubjpass") and k not in span]
        for k in subj:
            if toks[k].pos == "NOUN" and toks[k].lemma not in lang.light_words and toks[k].lemma != noun:
                path.append(toks[k].lemma)
    clause_tokens = _subtree(p, clause, within_clause=True)
    # A clause without a subject of its own tells of what another phrase names, and that phrase's
    # places, dates and agent are the figure's: a relative clause's antecedent ("the attack on
    # Kerman which killed 84": Kerman's toll) and the clause a participle hangs from ("Pakistan
    # struck Iran on Thursday, killing nine": Pakistan's strike, in Iran, on Thursday).
    if clause < len(toks) and toks[clause].head != clause:
        gov = toks[clause].head
        relative = toks[clause].dep == "relcl" and any(toks[k].tag in ("WDT", "WP") for k in subj)
        participle = toks[clause].dep in ("advcl", "xcomp") and not subj and toks[clause].tag in ("VBG", "VBN")
        if relative:
            clause_tokens |= _subtree(p, gov) - _subtree(p, clause)
        elif participle:
            outer = _clause_root(p, gov)
            clause_tokens |= _subtree(p, outer, within_clause=True)
            if toks[outer].lemma not in lang.reporting_verbs:
                subj = [k for k, t in enumerate(toks) if t.head == outer and t.dep == "nsubj" and k not in span]
    skip = (q.start, q.end)
    scope = _entities_in(p, clause_tokens, _SCOPE_LABELS, skip)
    time = tuple(t for t in _entities_in(p, clause_tokens, _TIME_LABELS, skip) if _names_a_time(t))
    # holder: names inside the counted noun's own phrase ("Apple's 5% stake", "a city of 500,000")
    holder = _entities_in(p, _subtree(p, anchor) - span, _HOLDER_LABELS, skip)
    # the agent is a holder too: "Bush rushed for 404 yards" and "Thomas has eight touchdowns"
    # are two players' figures (a pronoun subject names nobody: no clash)
    if clause < len(toks) and toks[clause].lemma not in lang.reporting_verbs:
        owners.update(k for k in subj if toks[k].pos == "PROPN")
    if owners:
        agents = set().union(*(_subtree(p, o) for o in owners)) - span
        holder += _entities_in(p, agents, _AGENT_LABELS, skip)
        holder = tuple(dict.fromkeys(holder))
    # the counted phrase: the noun with its compounds and modifiers, and what an "of"/"in" phrase
    # on the figure or its noun names ("$72 billion in bond debt", "a death toll of 84")
    phrase: list[str] = []
    for j in sorted({anchor, head}):
        for k, t in enumerate(toks):
            if t.head == j and k not in span and t.dep in ("compound", "amod", "nmod", "poss"):
                phrase.append(t.lemma)
            if t.head == j and t.dep == "prep" and t.lemma in lang.measure_preps:
                phrase.extend(toks[x].lemma for x in sorted(_subtree(p, k)) if toks[x].pos in ("NOUN", "PROPN"))
    if noun:
        phrase.append(noun)
    what = " ".join(dict.fromkeys(w for w in [measure, *phrase, *path[:3]] if w))
    return Frame(
        **base,  # type: ignore[arg-type]
        what=what,
        noun=noun,
        measure=measure,
        measure_at=toks[measure_i].start if measure_i >= 0 else -1,
        measure_words=tuple(dict.fromkeys(path)),
        holder=holder,
        scope=scope,
        time=time,
        attribution=attribution(p, first, lang),
        part=part,
    )


def attribution(p: ParsedSentence, i: int, lang: LanguageData) -> str:
    """Who a statement at token `i` is attributed to: a reporting verb's subject above it."""
    toks = p.tokens
    seen: set[int] = set()
    while i not in seen:
        seen.add(i)
        t = toks[i]
        if t.pos == "VERB" and t.lemma in lang.reporting_verbs:
            for k, s in enumerate(toks):
                if s.head == i and s.dep in ("nsubj", "nsubjpass") and s.pos in ("PROPN", "NOUN"):
                    lo = min(_subtree(p, k))
                    hi = max(j for j in _subtree(p, k) if j < i) if any(j < i for j in _subtree(p, k)) else k
                    return p.text[toks[lo].start : toks[hi].start + len(toks[hi].text)]
        if t.head == i:
            break
        i = t.head
    for k, t in enumerate(toks):  # "according to X"
        if t.lemma == "accord" and k + 2 < len(toks) and toks[k + 1].text.lower() == "to":
            obj = [j for j, s in enumerate(toks) if s.head == k + 1 and s.dep == "pobj"]
            if obj:
                sub = sorted(_subtree(p, obj[0]))
                return p.text[toks[sub[0]].start : toks[sub[-1]].start + len(toks[sub[-1]].text)]
    return ""


def frames_for(
    parsed: ParsedSentence | None,
    quantities: tuple[Quantity, ...],
    article: str,
    sentence: int,
    language: str | None = "en",
) -> tuple[Frame, ...]:
    """The frames of one sentence's figures; none when the sentence has no parse (no model for
    its language), so no figure is ever read by another language's rules."""
    lang = language_data(language)
    if parsed is None or lang is None or language is None:
        return ()
    return tuple(frame_of(parsed, q, article, sentence, lang, language) for q in quantities)


__all__ = ["Frame", "attribution", "frame_of", "frames_for"]
