"""Direct quotes with their speakers, and who asserts a sentence.

In: a story's articles and their sentences. Out: `Quote` records (speaker, quoted text, every
article that carries the quote, the exact passages).

A quote is text between double quotation marks (straight or typographic) that is long enough to
be a statement rather than a scare-quoted phrase, or a fragment with an explicit speaker. A quote
left open at the end of a paragraph continues into the next paragraph when that one opens with a
quotation mark (the newspaper convention for multi-paragraph quotes). The speaker comes from the
frame around it: `"...," the ministry said`, `X said: "..."`, `said X`, `according to X`,
`A statement from X said that "..."`. Vague speakers ("the ministry", "it", "he") are resolved to
the last fuller mention earlier in the same article ("Pakistan's foreign ministry").

The same quote in several articles (exact, or one a part of the other, or nearly the same words)
becomes one Quote with all sources; its speaker is the most specific one any article gives.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storydesk.records import Article, Passage, Quote, Sentence

__all__ = ["attribution", "extract_quotes"]

_OPEN = '“"'
_CLOSE = '”"'
_VERBS = (
    r"(?:said|says|say|added|adds|told(?:\s+[\w.’']+){1,3}?|stated|states|wrote|writes|tweeted|posted|"
    r"announced|claimed|claims|alleged|insisted|warned|explained|noted|declared|confirmed|reported|"
    r"reports|argued|continued|asked|replied)"
)
# Lowercase words that may sit inside a speaker's noun phrase ("the province's deputy governor",
# "Iranian state media"); anything else lowercase ends the phrase.
_NP_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "its",
        "his",
        "her",
        "their",
        "state",
        "media",
        "television",
        "tv",
        "news",
        "agency",
        "agencies",
        "officials",
        "official",
        "ministry",
        "foreign",
        "interior",
        "defence",
        "defense",
        "military",
        "army",
        "government",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "police",
        "authorities",
        "sources",
        "source",
        "statement",
        "from",
        "of",
        "senior",
        "local",
        "deputy",
        "governor",
        "minister",
        "president",
        "province's",
        "country's",
        "region's",
        "group's",
        "reports",
        "report",
        "witnesses",
        "residents",
        "analysts",
        "experts",
        "office",
        "press",
        "secretary",
        "commander",
        "chief",
        "leader",
        "leaders",
        "outlet",
        "outlets",
        "daily",
        "newspaper",
        "broadcaster",
        "broadcasters",
        "radio",
        "channel",
        "network",
        "website",
        "wire",
        "service",
        "security",
        "forces",
        "it",
        "he",
        "she",
        "they",
        "we",
    ]
)
_PRONOUNS = frozenset({"it", "he", "she", "they", "we"})
_MAX_QUOTE_CHARS = 1500  # a "quote" running longer is an unbalanced mark, not a quote
_MIN_QUOTE_WORDS = 5  # shorter quoted spans are scare quotes or titles unless a speaker frames them


@dataclass(frozen=True, slots=True)
class _Found:
    article: str
    start: int
    end: int
    text: str
    speaker: str | None


_NOT_SUBJECT = frozenset({"this", "that", "these", "those", "as", "but", "and", "however", "which", "what", "who"})
_FUNCTION = frozenset({"the", "a", "an", "its", "his", "her", "their", "from", "of"})


def _is_np(phrase: str, max_words: int = 9) -> bool:
    """Whether `phrase` looks like a speaker noun phrase: each word capitalised or a known word."""
    words = phrase.split()
    if not words or len(words) > max_words:
        return False
    if words[0].lower().strip(",") in _NOT_SUBJECT:
        return False
    if all(w.lower() in _FUNCTION for w in words):
        return False
    # "the union", "its spokesman for the region": a determiner then a few plain words
    if (
        words[0].lower() in ("the", "a", "an", "its", "his", "her", "their", "one", "another")
        and len(words) <= 5
        and all(re.fullmatch(r"[A-Za-z’'-]+", w) for w in words)
        and not any(w.lower() in _NOT_SUBJECT for w in words[1:])
    ):
        return True
    for w in words:
        bare = w.strip(",.:;").replace("’", "'")
        if not bare:
            return False
        if bare[0].isupper() or bare[0].isdigit():
            continue
        if bare.lower() not in _NP_WORDS and not bare.lower().endswith("'s"):
            return False
    return True


def _trim_np(phrase: str) -> str:
    """The longest tail of `phrase` that is a speaker noun phrase ("... and said many people"
    -> not one; "Attempting to play down ..., the ministry" -> "the ministry")."""
    words = phrase.split()
    best = ""
    # the longest tail that reads as a noun phrase ("union" alone does not, "The union" does)
    for i in range(len(words) - 1, max(-1, len(words) - 11), -1):
        cand = " ".join(words[i:])
        if _is_np(cand):
            best = cand
    best = re.sub(r"^(?:But|And|However|Meanwhile|So|Yet),?\s+", "", best.strip(" ,"))
    return best if _is_np(best) else ""


# --------------------------------------------------------------------------- attribution

_ACCORDING = re.compile(r"\baccording to ((?:[^,.;]|\.(?=\w))+)", re.I)
_CITED = re.compile(r"((?:[\w’']+\s+){0,5}?[\w’']+)\s+cited\s+(.+?)\s+as\s+saying", re.I)
_TRAILING = re.compile(
    rf"[,”\"]\s*((?:[\w’'.-]+\s+){{0,8}}?[\w’'.-]+)\s+(?:has\s+|had\s+|have\s+)?{_VERBS}"
    r"(?:\s+(?:in\s+a\s+statement|on\s+\w+|late\s+on\s+\w+|in\s+a\s+\w+))?\s*[.!]?[”\"]?\s*$"
)
_TRAILING_INV = re.compile(
    r"[,”\"]\s*(?:said|says|added|wrote|stated|tweeted)\s+((?:[\w’'.-]+\s+){0,8}?[\w’'.-]+)\s*[.!]?\s*$"
)
_LEADING = re.compile(
    rf"^(?:(?:But|And|However|Meanwhile|Separately|Earlier|Later|On\s+\w+),?\s+)?"
    rf"((?:[\w’'.-]+\s+){{0,8}}?[\w’'.-]+)\s+(?:has\s+|had\s+|have\s+|also\s+)?{_VERBS}\b"
    r"(?!(?<=added)\s+(?:\d|an?\s))"  # "added 16 points", "added a goal" are not reporting
)
_REPORTED_BY = re.compile(r"\b(?:as\s+)?reported\s+by\s+((?:[A-Z][\w’'.-]*\s*)+)")
_STATEMENT = re.compile(r"\b[Aa] statement (?:from|by) ((?:[\w’'.-]+\s+){0,6}?[\w’'.-]+)\s+(?:said|says|read)")
_REPORTEDLY = re.compile(r"\b(?:reportedly|allegedly|purportedly|it is reported|it was reported)\b", re.I)


def attribution(text: str, context: str | None = None) -> str | None:
    """Who asserts `text`: "Iran state TV", "Fox News", "Islamabad"; None when stated plainly.

    A bare pronoun ("..., it added.") is resolved from `context` (the article text before
    `text`): the last earlier asserter for "it"/"they", the last person named for "he"/"she".
    A pronoun that cannot be resolved is no attribution: None (a reader learns nothing from
    "attributed to it").

    >>> attribution("Three women and four children were killed, Iran state TV said.")
    'Iran state TV'
    >>> attribution("The strikes hit two villages.") is None
    True
    """
    who = _attribution(text)
    if not who or who.lower() not in _PRONOUNS:
        return who
    if not context:
        return None
    if who.lower() in ("he", "she"):
        from storydesk.crosscheck.entities import find_mentions

        people = [m for m in find_mentions(context[-800:]) if m.label == "PER"]
        return people[-1].text if people else None
    for sent in reversed(re.split(r"(?<=[.!?”\"])\s+", context[-1500:])):
        earlier = _attribution(sent)
        if earlier and earlier.lower() not in _PRONOUNS and earlier != "unnamed reports":
            return earlier
    return None


def _attribution(text: str) -> str | None:
    t = " ".join(text.split())
    m = _CITED.search(t)
    if m:
        src = _trim_np(m.group(1))
        who = m.group(2).strip()
        return f"{src}, citing {who}" if src else who
    m = _STATEMENT.search(t)
    if m and _is_np(m.group(1)):
        return m.group(1)
    m = _ACCORDING.search(t)
    if m:
        who = re.sub(r"^(?:a|the)\s+(?:statement|report|post)\s+(?:from|by|on)\s+", "", m.group(1).strip(), flags=re.I)
        if _is_np(who, 10):
            return who
    m = _REPORTED_BY.search(t)
    if m:
        return m.group(1).strip()
    m = _TRAILING.search(t) or _TRAILING_INV.search(t)
    if m:
        who = _trim_np(m.group(1))
        if who:
            return who
    m = _LEADING.match(t)
    if m:
        who = m.group(1)
        if _is_np(who):
            return who
    if _REPORTEDLY.search(t):
        return "unnamed reports"
    return None


# --------------------------------------------------------------------------- quotes


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quoted stretch, quotation marks included; multi-paragraph aware."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _OPEN and (c == "“" or i == 0 or not text[i - 1].isalnum()):
            start = i
            j = i + 1
            while True:
                close = _next_close(text, j, c)
                nl = text.find("\n", j)
                if close != -1 and (nl == -1 or close < nl):
                    spans.append((start, close + 1))
                    i = close + 1
                    break
                # open at paragraph end: continue if the next paragraph opens with a quote mark
                if nl != -1:
                    k = nl
                    while k < n and text[k].isspace():
                        k += 1
                    if k < n and text[k] in _OPEN and text[nl - 1 : nl] not in ("”",):
                        j = k + 1
                        continue
                    # no new opening mark: where text is split one sentence per line, the quote
                    # runs on to its closing mark if one comes before the next opening mark
                    if close != -1 and close - start < _MAX_QUOTE_CHARS:
                        nxt = text.find("“", j) if c == "“" else close
                        if c != "“" or nxt == -1 or nxt > close:
                            spans.append((start, close + 1))
                            i = close + 1
                            break
                    end = nl
                    while end > start and text[end - 1].isspace():
                        end -= 1
                    spans.append((start, end))
                    i = nl
                else:
                    i = n
                break
            continue
        i += 1
    return spans


def _next_close(text: str, j: int, opener: str) -> int:
    if opener == "“":
        return text.find("”", j)
    # a straight quote closes at the next straight quote followed by a non-letter
    k = j
    while True:
        k = text.find('"', k)
        if k == -1 or k + 1 >= len(text) or not text[k + 1].isalnum():
            return k
        k += 1


def _inner(text: str) -> str:
    return text.strip().strip('“”"').strip()


_WEEKDAY_NAMES = frozenset({"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"})


def _subject(clause: str) -> str | None:
    """The capitalised name opening `clause` ("DeGeneres made the announcement ... and said")."""
    m = re.match(r"\s*((?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'.-]*)", clause)
    if m and _is_np(m.group(1)):
        return m.group(1).strip()
    return None


def _speaker_after(after: str) -> str | None:
    m = re.match(rf"^[,.!?]?\s*[”\"]?\s*,?\s*((?:[\w’'.-]+\s+){{0,8}}?[\w’'.-]+)\s+{_VERBS}\b", after)
    if m and _trim_np(m.group(1)) == m.group(1).strip(" ,").removeprefix("But ").removeprefix("And "):
        return _trim_np(m.group(1))
    # appositive: ', the Troy police chief, Charles Craft, said'
    m = re.match(
        rf"^[,.!?]?\s*[”\"]?\s*,?\s*(?:[\w’'.-]+\s+){{0,6}}?[\w’'.-]+\s*,\s*((?:[A-Z][\w’'.-]*\s*){{1,4}}?)\s*,\s*{_VERBS}\b",
        after,
    )
    if m:
        return m.group(1).strip()
    m = re.match(rf"^[,.!?]?\s*,?\s*{_VERBS}\s+((?:[A-Z][\w’'.-]*\s*){{1,5}})", after)
    if m:
        return m.group(1).strip()
    # 'said ex-NYPD detective Joe Coffey Monday': the name at the end of the noun phrase
    m = re.match(r"^[,.!?]?\s*,?\s*(?:said|says|added)\s+([^,.;\"“”]{1,80})", after)
    if m:
        names = re.findall(r"(?:[A-Z][\w’'-]+\s+)*[A-Z][\w’'-]+", m.group(1))
        names = [" ".join(w for w in x.split() if w not in _WEEKDAY_NAMES) for x in names]
        people = [x for x in names if len(x.split()) >= 2]
        if people:
            return people[-1]
        np_ = re.split(r"\s+(?:who|which|that)\b", m.group(1))[0].strip()
        if _is_np(np_):
            return np_
        if names and names[-1]:
            return names[-1]
    m = re.match(r"^[,.!?]?\s*,?\s*according to ((?:[^,.;]|\.(?=\w))+)", after)
    if m and _is_np(m.group(1), 10):
        return m.group(1).strip()
    return None


def _speaker_before(before: str) -> str | None:
    b = before.rstrip()
    m = re.search(
        rf"((?:[\w’'.-]+\s+){{0,12}}?[\w’'.-]+)\s+(?:has\s+|had\s+|also\s+)?{_VERBS}(?:\s+that|\s+in\s+a\s+statement)?[,:]?$",
        b,
    )
    if m:
        phrase = m.group(1)
        st = _STATEMENT.search(phrase + " said")
        if st:
            return st.group(1)
        who = _trim_np(phrase)
        if who and who.lower() not in ("that", "and"):
            return who
        if phrase.rstrip().endswith(" and"):  # "X made the announcement ... and said:"
            return _subject(_last_sentence(b))
    m = re.search(r"\b(?:adding|saying|stating|noting|claiming)(?:\s+that)?[,:]?$", b)
    if m:
        return _subject(_last_sentence(b)) or "<previous>"
    return None


def _last_sentence(text: str) -> str:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", text)
    return parts[-1] if parts else text


_CAP = "(?-i:[A-Z])"  # a capital letter even inside a case-insensitive pattern


# A quote that speaks of a party as its counterpart ("our engagements with Iran", "shelter
# inside Iran") is not that party's own statement: "Iran's foreign ministry" is not the speaker.
_COUNTERPART = r"\b(?:with|inside|against|toward|towards|into|from)\s+(?:the\s+)?{}\b"


def _addressed_in(phrase: str, quote: str) -> bool:
    """Is the owner of `phrase` ("Iran" of "Iran's foreign ministry") a counterpart in `quote`?"""
    m = re.match(r"([A-Z][\w-]*)['’]s\s", phrase)
    return bool(m and quote and re.search(_COUNTERPART.format(re.escape(m.group(1))), quote))


def _resolve_speaker(speaker: str, text: str, pos: int, previous: str | None, quote: str = "") -> str:
    """Replace a vague speaker ("the ministry", "it", "he") with the last fuller mention before
    `pos`, passing over a mention whose owner the `quote` itself addresses as its counterpart."""
    s = speaker.strip()
    low = s.lower()
    if s == "<previous>":
        return previous or "unknown"
    if low in ("he", "she"):
        from storydesk.crosscheck.entities import find_mentions

        window = text[max(0, pos - 800) : pos]
        people = [m for m in find_mentions(window) if m.label == "PER"]
        if people:
            return people[-1].text
    if low in _PRONOUNS:
        if previous:
            return previous
        return s
    m = re.match(r"^(?:the|its|his|her|their)\s+(.+)$", s, re.I)
    if m:
        head = m.group(1).split()[-1].strip(",.").lower()
        before = text[:pos]
        cands = list(
            re.finditer(
                rf"((?:{_CAP}[\w-]*['’]s\s+)(?:[\w-]+\s+){{0,3}}?{re.escape(head)}\b(?:\s+of(?:\s+{_CAP}[\w-]*)+)?|"
                rf"(?:{_CAP}[\w-]*\s+){{1,4}}{re.escape(head)}\b|"
                rf"{re.escape(head)}\s+of(?:\s+{_CAP}[\w-]*)+)",
                before,
                re.I,
            )
        )
        for c in reversed(cands):
            phrase = c.group(1).strip()
            if phrase.lower() != low and phrase[0].isupper() and not phrase.lower().startswith(("the ", "a ")):
                if _addressed_in(phrase, quote):
                    continue
                return phrase
        if previous and head in previous.lower():
            return previous
    return s


def _find_quotes(article: Article) -> list[_Found]:
    text = article.text
    out: list[_Found] = []
    previous: str | None = None
    for start, end in _quote_spans(text):
        inner = _inner(text[start:end])
        words = inner.split()
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        if line_end == -1:
            line_end = len(text)
        before = text[max(line_start, start - 200) : start]
        after = text[end : min(line_end, end + 150)]
        # a closing mark followed directly by ", X said" may have the comma inside the quote
        after_who, before_who = _speaker_after(after), _speaker_before(before)
        # a frame naming the speaker beats a pronoun on the other side ('X said that "..." it added')
        if after_who and after_who.lower() in _PRONOUNS and before_who and before_who.lower() not in _PRONOUNS:
            speaker: str | None = before_who
        else:
            speaker = after_who or before_who
        if speaker is None and len(words) < _MIN_QUOTE_WORDS:
            continue
        if speaker is None:
            # a quote-only paragraph continues the last speaker when the paragraph is the quote
            if text[line_start:start].strip() == "" and previous and len(words) >= _MIN_QUOTE_WORDS:
                speaker = previous
            else:
                continue
        elif len(words) < 2:
            continue
        resolved = _resolve_speaker(speaker, text, start, previous, inner)
        previous = resolved
        out.append(_Found(article.id, start, end, inner, resolved))
    return out


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return " ".join(re.findall(r"[\w']+", text))


def _same_quote(a: str, b: str) -> bool:
    if a == b or (len(a) > 20 and a in b) or (len(b) > 20 and b in a):
        return True
    ta, tb = set(a.split()), set(b.split())
    if min(len(ta), len(tb)) < 5:
        return False
    # 0.8 word overlap on the shorter quote: joins "large-scale"/"large scale" and trimmed
    # lead-ins, keeps two different sentences of one statement apart (seeds, checked by hand)
    return len(ta & tb) / min(len(ta), len(tb)) >= 0.8


def _specific(speaker: str) -> tuple[int, int, int]:
    """Rank speakers: named (capitalised) beats vague, then longer."""
    caps = sum(1 for w in speaker.split() if w[:1].isupper())
    vague = speaker.lower() in _PRONOUNS or speaker.lower().startswith(("the ", "it", "unknown"))
    return (0 if vague else 1, caps, len(speaker))


def extract_quotes(
    articles: Sequence[Article], sentences: Mapping[str, Sequence[Sentence]] | None = None
) -> tuple[Quote, ...]:
    """Direct quotes in the story with speakers; one Quote per distinct quote, all its sources.

    Args:
        articles: the story's articles (quotes are found in `Article.text`, so a quote may span
            sentences and paragraphs).
        sentences: article id -> sentences; accepted for a uniform cross-check signature.
    """
    found = [q for art in articles for q in _find_quotes(art)]
    groups: list[list[_Found]] = []
    norms: list[list[str]] = []
    for q in found:
        key = _norm(q.text)
        for g, ns in zip(groups, norms, strict=True):
            if any(_same_quote(key, n) for n in ns):
                g.append(q)
                ns.append(key)
                break
        else:
            groups.append([q])
            norms.append([key])
    quotes: list[Quote] = []
    for g in groups:
        speaker = max((q.speaker or "unknown" for q in g), key=_specific)
        # the longest wording is the fullest version of the quote
        text = max((q.text for q in g), key=len)
        sources = tuple(dict.fromkeys(q.article for q in g))
        passages = tuple(Passage(article=q.article, start=q.start, end=q.end, text=_quote_text(q)) for q in g)
        quotes.append(Quote(speaker=speaker, text=text, sources=sources, passages=passages))
    return tuple(quotes)


def _quote_text(q: _Found) -> str:
    return q.text
