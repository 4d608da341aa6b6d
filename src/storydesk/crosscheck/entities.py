"""Named entities of a story: find mentions, merge spelling variants, count sources.

In: articles and their sentences (`storydesk.segment.sentences`). Out: `Entity` records (name =
the most common variant, type, every variant seen, the articles that mention it).

Mentions come from three sources, strongest first:
1. gazetteers shipped in installed packages: country names (babel's English territory names,
   pycountry's names), first-level subdivisions (pycountry, diacritics folded, so
   "Sīstān va Balūchestān" matches "Sistan and Baluchestan") and cities (zoneinfo zone names);
2. cue rules: a title before a name ("Deputy Governor Alireza Marhamati" -> PER), a capitalised
   name before "said"/"told" (PER), organisation head words ("Ministry", "Front", "Army" -> ORG);
3. a small spaCy NER model (tok2vec + ner) trained on GUM and shipped in `storydesk/models/ner`
   (bench/train_ner.py trains it; bench/ner_eval.py measures it), loaded once per process.

Variants merge on `canonical()`, a key that folds case, diacritics, possessives, hyphens,
connectors ("and", "o", "va", "-e-") and transliteration vowels ("Baluchestan"/"Baluchistan"),
then by guarded edit distance ("Islambad"/"Islamabad"), then a lone surname joins the one full
name in the story that ends with it ("Amirabdollahian" -> "Hossein Amirabdollahian").

Demonyms are kept apart from their countries: "Pakistani officials" are not the place Pakistan,
so "Pakistani" is its own MISC entity and `same_entity("Pakistan", "Pakistani")` is False.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from storydesk.records import Article, Entity, Sentence

__all__ = [
    "Mention",
    "canonical",
    "extract_entities",
    "find_mentions",
    "load_model",
    "same_entity",
]

LABELS = ("PER", "ORG", "LOC", "MISC")


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention: character offsets into the text it was found in, and its type."""

    start: int
    end: int
    text: str
    label: str  # "PER" | "ORG" | "LOC" | "MISC"


# --------------------------------------------------------------------------- canonical keys

_CONNECTORS = frozenset({"and", "o", "va", "e", "&", "y", "the"})
_TITLES = frozenset(
    [
        "president",
        "vice",
        "prime",
        "minister",
        "foreign",
        "interior",
        "defence",
        "defense",
        "deputy",
        "governor",
        "general",
        "gen",
        "senator",
        "sen",
        "rep",
        "representative",
        "mr",
        "mrs",
        "ms",
        "dr",
        "king",
        "queen",
        "prince",
        "princess",
        "ayatollah",
        "sheikh",
        "secretary",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "chief",
        "commander",
        "colonel",
        "col",
        "judge",
        "pope",
        "lt",
        "lieutenant",
        "major",
        "captain",
        "admiral",
        "ambassador",
        "envoy",
        "mayor",
        "chancellor",
        "premier",
        "supreme",
        "leader",
        "state",
        "reverend",
        "rev",
        "tsar",
        "czar",
        "emperor",
        "sir",
        "lord",
        "dame",
        "pastor",
        "father",
        "rabbi",
        "imam",
        "coach",
        "professor",
        "prof",
    ]
)
_VOWELS = re.compile(r"[aeiouy]+")
_POSSESSIVE = re.compile(r"['’]s\b|['’]$", re.I)


# Pure string functions below are memoised per process: a profile of pipeline.run over 300
# bench/throughput.py articles (one process, cProfile) spent 40 s of 90 s of cross-check + brief in
# extract_entities, 12 s of it in 260k calls of _fold on a few thousand distinct words, 9 s in
# same_entity over name pairs every story repeats. The gazetteer is fixed once loaded, so these
# answers never change within a process.
_MEMO = 65_536


@lru_cache(maxsize=_MEMO)
def _fold(text: str) -> str:
    """Lowercase ASCII: diacritics stripped, curly quotes straightened."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("’", "'").lower()


def _tokens(name: str) -> list[str]:
    folded = _POSSESSIVE.sub("", _fold(name).strip())
    return [t for t in re.split(r"[^a-z0-9]+", folded) if t]


@lru_cache(maxsize=_MEMO)
def _skeleton(token: str) -> str:
    """Transliteration-tolerant form of one word: vowel runs -> "a", doubled letters single,
    except the first letter is kept ("Iran" and "Oman" stay apart)."""
    head, tail = token[:1], token[1:]
    if head in "aeiouy":
        head = "a"
    # the final vowel is kept as written: it separates a country from its demonym or a
    # related name ("Argentina"/"Argentine", "Bosnia"/"Bosnie") where inner vowels do not
    final = ""
    m = re.search(r"[aeiouy]+$", tail)
    if m and len(tail) > 2:
        tail, final = tail[: m.start()], m.group()
    tail = _VOWELS.sub("a", tail) + final
    out = head + tail
    return re.sub(r"(.)\1+", r"\1", out)


@lru_cache(maxsize=_MEMO)
def canonical(name: str) -> str:
    """A key under which spelling variants of one name coincide.

    Folds case and diacritics, drops possessives, splits on hyphens and spaces, drops connector
    words ("and", "o", "va", "e", "the"), reduces vowels to a transliteration skeleton and joins
    the words without spaces.

    >>> canonical("Sistan-Baluchestan") == canonical("Siestan-o-Baluchistan") == canonical("Sistan and Baluchestan")
    True
    >>> canonical("Iran") == canonical("Iraq")
    False
    """
    folded = " ".join(_tokens(name))
    # "Ministry of Foreign Affairs" and "Foreign Ministry" are one name
    folded = re.sub(r"\bministry of (\w+)(?: affairs)?\b", r"\1 ministry", folded)
    toks = [t for t in folded.split() if t not in _CONNECTORS]
    return "".join(_skeleton(t) for t in toks)


@lru_cache(maxsize=_MEMO)
def _strip_titles(name: str) -> str:
    words = name.split()
    if any(_fold(w).strip(".'") in _ORG_HEADS for w in words):
        return name  # "Foreign Ministry" is an organisation, not a title and a name
    while len(words) > 1 and _fold(words[0]).strip(".") in _TITLES:
        words = words[1:]
    return " ".join(words)


def _edit_distance(a: str, b: str, cap: int) -> int:
    """Levenshtein distance, giving up (returning cap + 1) once it must exceed `cap`."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > cap:
            return cap + 1
        prev = cur
    return prev[-1]


_DEMONYM_SUFFIXES = ("i", "ian", "an", "n", "ese", "ish", "ic")


def _is_demonym_pair(a: str, b: str) -> bool:
    """True when one folded name is the other plus a demonym suffix ("pakistan"/"pakistani")."""
    fa, fb = _fold(a).strip(), _fold(b).strip()
    if len(fa) > len(fb):
        fa, fb = fb, fa
    if not fb.startswith(fa[: max(3, len(fa) - 1)]):
        return False
    rest = fb[len(fa) :]
    rest2 = fb[len(fa) - 1 :]
    return rest in _DEMONYM_SUFFIXES or rest2 in _DEMONYM_SUFFIXES


@lru_cache(maxsize=_MEMO)
def same_entity(a: str, b: str) -> bool:
    """Whether two names (mentions) refer to the same entity, by spelling alone.

    Same canonical key; or a small edit distance on long keys ("Islambad"/"Islamabad"), guarded
    so that short names ("Iran"/"Iraq"), two distinct gazetteer entries, and a country with its
    demonym ("Pakistan"/"Pakistani") stay apart.
    """
    ka, kb = canonical(_strip_titles(a)), canonical(_strip_titles(b))
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    if _is_demonym_pair(a, b):
        return False
    # Fuzzy match only on keys of 6+ letters sharing the first letter, at most one edit per 7
    # characters: on the seeds this joins typos ("Islambad") and keeps Iran/Iraq, Niger/Nigeria
    # and Austria/Australia apart; two names that are both real gazetteer entries never merge.
    short = min(len(ka), len(kb))
    if short < 6 or ka[0] != kb[0]:
        return False
    # a difference only at the end is morphology, not a typo ("Argentina"/"Argentine",
    # "Kenya"/"Kenyan"); typos inside the word ("Islambad") still merge
    if ka[:-1] == kb[:-1] or ka.startswith(kb) or kb.startswith(ka):
        return False
    if _in_gazetteer(a) and _in_gazetteer(b):
        return False
    cap = max(1, short // 7)
    return _edit_distance(ka, kb, cap) <= cap


# --------------------------------------------------------------------------- gazetteers

# Subdivision and city names that are also ordinary English words or too generic to trust.
_GAZ_STOP = frozenset(
    [
        "central",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "centre",
        "center",
        "capital",
        "coast",
        "upper",
        "lower",
        "islands",
        "island",
        "lakes",
        "lake",
        "valley",
        "river",
        "mountain",
        "mountains",
        "plains",
        "city",
        "district",
        "national",
        "federal",
        "north-east",
        "north-west",
        "south-east",
        "south-west",
        "midlands",
        "border",
        "east-central",
        "north-central",
        "south-central",
        "west-central",
        "western-cape",
        "state",
        "union",
    ]
)


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, str]:
    """Folded key -> "LOC" for countries, first-level subdivisions and zoneinfo cities.

    Countries (babel's English territory names for two-letter codes, pycountry's names) are
    taken whatever their length ("Iran", "Chad"); subdivision and city names only when they have
    5+ letters and are not generic words, because short ones ("Bar", "Nord", "Gulf") are far more
    often ordinary capitalised words in English news.
    """
    countries: set[str] = set()
    places: set[str] = set()
    try:
        from babel import Locale

        for code, n in Locale("en").territories.items():
            # numeric codes are regions ("142" Asia, "150" Europe): places too, except "001" world
            if code != "001" and "Region" not in n:
                countries.add(n)
    except Exception:  # pragma: no cover - babel is a pinned dependency; stay usable without it
        pass
    try:
        import pycountry

        for c in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                v = getattr(c, attr, None)
                if v and "," not in v:
                    countries.add(v)
        for sub in pycountry.subdivisions:
            if sub.parent_code is None:  # first level only: provinces, states
                places.add(re.sub(r"\s*\[.*?\]|\s*\(.*?\)", "", sub.name))
    except Exception:  # pragma: no cover - pycountry is optional
        pass
    try:
        import zoneinfo

        skip = ("Etc", "SystemV", "US", "Canada", "Brazil", "Chile", "Mexico")
        for z in zoneinfo.available_timezones():
            parts = z.split("/")
            if len(parts) >= 2 and parts[0] not in skip:
                places.add(parts[-1].replace("_", " "))
    except Exception:  # pragma: no cover
        pass
    places = {p for p in places if len(_plain_key(p)) >= 5}
    out: dict[str, str] = {}
    for n in countries | places:
        if _fold(n) in _GAZ_STOP or not _plain_key(n):
            continue
        out[_plain_key(n)] = "LOC"
        key = canonical(n)
        # The vowel skeleton of a short name collides with people's names ("Hessen" and
        # "Hossein" both give "hasan"), so only long names are also looked up by skeleton.
        if len(key) >= _SKELETON_MIN:
            _SKELETON_OF[key] = _plain_key(n)
            out[key] = "LOC"
    return out


_SKELETON_OF: dict[str, str] = {}


_SKELETON_MIN = 9


@lru_cache(maxsize=_MEMO)
def _plain_key(name: str) -> str:
    """Case/diacritic/possessive/connector-folded name, vowels kept."""
    return "".join(t for t in _tokens(name) if t not in _CONNECTORS)


@lru_cache(maxsize=_MEMO)
def _in_gazetteer(name: str) -> bool:
    gaz = _gazetteer()
    if _plain_key(name) in gaz:
        return True
    key = canonical(name)
    if len(key) < _SKELETON_MIN or key not in gaz:
        return False
    # a skeleton hit must also be close in plain spelling (2 edits, or one per 6 letters), so
    # "Siestan-o-Baluchistan" matches "Sīstān va Balūchestān" but "For Antony" matches nothing
    plain, known = _plain_key(name), _SKELETON_OF.get(key, "")
    cap = max(2, len(plain) // 6)
    return _edit_distance(plain, known, cap) <= cap


# --------------------------------------------------------------------------- the NER model

_LOCK = threading.Lock()
_MODEL: Any = None
_MODEL_LOADED = False


def load_model() -> Any:
    """The packaged spaCy NER pipeline, loaded once per process; None if it is not installed."""
    global _MODEL, _MODEL_LOADED
    with _LOCK:
        if not _MODEL_LOADED:
            _MODEL_LOADED = True
            path = resources.files("storydesk") / "models" / "ner"
            if path.is_dir() and (path / "meta.json").is_file():
                import spacy

                _MODEL = spacy.load(str(path))
                _numpy_products(_MODEL)
        return _MODEL


def _numpy_products(nlp: Any) -> None:
    """Give the pipeline's layers thinc ops whose matrix products go through numpy (OpenBLAS).

    thinc's default NumpyOps multiplies with the `blis` package, about half as fast here:
    bench/throughput.py's 1,000-article corpus, the 4,619 distinct sentences analyse_story sends
    to the model, one thread: 11.9 CPU-s with blis, 6.4 s with numpy, every entity span and label
    the same. Only this pipeline's layers get the new ops; the process-wide default is left alone.
    """
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for name in nlp.pipe_names:
        for node in nlp.get_pipe(name).model.walk():
            node.ops = ops


# --------------------------------------------------------------------------- rules

_WORD = re.compile(r"[^\W_]+(?:[-.][^\W_]+)*\.?", re.U)
_ORG_HEADS = frozenset(
    [
        "ministry",
        "army",
        "front",
        "council",
        "party",
        "agency",
        "university",
        "corporation",
        "corp",
        "inc",
        "ltd",
        "company",
        "news",
        "tv",
        "television",
        "times",
        "post",
        "press",
        "guard",
        "guards",
        "corps",
        "forces",
        "force",
        "committee",
        "organization",
        "organisation",
        "union",
        "bank",
        "association",
        "institute",
        "commission",
        "court",
        "parliament",
        "assembly",
        "government",
        "navy",
        "police",
        "office",
        "department",
        "service",
        "services",
        "network",
        "league",
        "movement",
        "group",
        "brigade",
        "brigades",
        "foundation",
        "fund",
        "authority",
        "bureau",
        "tribunal",
        "media",
        "society",
        "federation",
        "alliance",
        "coalition",
        "hospital",
        "college",
        "airlines",
        "airways",
        "trust",
        "board",
        "cross",
    ]
)
_PER_TITLE = re.compile(
    r"\b(?:President|Prime Minister|Foreign Minister|Interior Minister|Defen[cs]e Minister|Minister|"
    r"Deputy Governor|Governor|General|Gen\.|Senator|Sen\.|Rep\.|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|King|Queen|"
    r"Prince|Ayatollah|Sheikh|Secretary|Spokesperson|spokesperson|spokesman|spokeswoman|Commander|"
    r"Colonel|Judge|Pope|Ambassador|Mayor|Chancellor|Premier)\s+"
    r"((?:[A-Z][\w’'-]+)(?:\s+(?:[A-Z][\w’'-]+|al-\w+|bin|ibn|van|von|de)\b)*)"
)
_SAID = re.compile(
    r"\b([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){1,2}),?\s+(?:said|says|told|added|stated|wrote|tweeted|"
    r"posted|announced)\b"
)
_CONNECT_WORDS = frozenset({"of", "and", "for", "the", "al", "bin", "ibn", "de", "van", "von", "o", "va"})


_FUNCTION_WORDS = frozenset(
    {"for", "the", "in", "on", "at", "by", "to", "from", "with", "and", "of", "a", "an", "as", "but", "or", "read"}
)


_ARTICLED = re.compile(r"(?:al|el|ul|bin|ibn)-[A-Z]")


def _is_cap(word: str) -> bool:
    return word[:1].isupper() or bool(_ARTICLED.match(word))


def _gaz_mentions(text: str) -> list[Mention]:
    words = list(_WORD.finditer(text))
    # each word's capitalisation once: the span search below asks it up to six times per word
    caps = [_is_cap(w.group()) for w in words]
    out: list[Mention] = []
    i = 0
    while i < len(words):
        hit = None
        if caps[i] and _fold(words[i].group()) not in _FUNCTION_WORDS:
            for n in range(min(6, len(words) - i), 0, -1):
                last = words[i + n - 1]
                if not caps[i + n - 1]:
                    continue
                span = text[words[i].start() : last.end()].rstrip(".")
                if "\n" in span:
                    continue
                if _in_gazetteer(span):
                    hit = (n, Mention(words[i].start(), words[i].start() + len(span), span, "LOC"))
                    break
        if hit:
            out.append(hit[1])
            i += hit[0]
            continue
        w = words[i].group()
        if caps[i] and len(w) > 4 and "-" not in w:
            demonym = _demonym_of(w)
            if demonym:
                out.append(Mention(words[i].start(), words[i].end(), w, "MISC"))
        i += 1
    return out


@lru_cache(maxsize=4096)
def _demonym_of(word: str) -> bool:
    """Whether `word` is a demonym of a gazetteer country ("Pakistani", "Iranian", "Syrian")."""
    f = _fold(word)
    gaz = _gazetteer()
    if _plain_key(word) in gaz:  # "Ukraine", "Chile" are places themselves
        return False
    if f.endswith("s") and len(f) > 5 and _demonym_of(word[:-1]):  # "Pakistanis"
        return True
    for suffix in ("ian", "ese", "ish", "an", "i", "n", "e"):
        if f.endswith(suffix):
            stem = f[: -len(suffix)]
            for cand in (stem, stem + "a", stem + "ia", stem + "e", stem + "y"):
                if len(cand) >= 3 and _plain_key(cand) in gaz:
                    return True
    return False


_NAME_RUN = r"([A-Z][\w’'-]+(?:\s+(?:al-\w+|[A-Z][\w’'-]+)){0,3})"
# A settlement or region noun names the capitalised words it governs: "the city of Saravan",
# "near Panjgur city", "the town of Rask" are places whatever the model makes of the name.
_PLACE_NOUNS = r"(?:city|town|village|province|district|region|county|port|capital|island)"
_PLACE_OF = re.compile(rf"\b{_PLACE_NOUNS}\s+of\s+{_NAME_RUN}")
_PLACE_AFTER = re.compile(rf"\b(?:near|in|of|at|from|to)\s+{_NAME_RUN}\s+{_PLACE_NOUNS}\b")
# A group noun names the capitalised words in apposition: "the Palestinian group Hamas",
# "Jaish al-Adl, an armed group" are organisations, not people ("Smith, a member of the party"
# is a person: no "of"/"for" between the article and the noun).
_GROUP_NOUNS = r"(?:group|militia|organi[sz]ation|movement|party|faction|outfit|network|company|firm)"
_GROUP_BEFORE = re.compile(rf"\b(?:the|a|an)\s+(?:[\w-]+\s+){{0,3}}?{_GROUP_NOUNS}\s+{_NAME_RUN}")
_GROUP_AFTER = re.compile(
    rf"{_NAME_RUN},\s+(?:an?|the)\s+(?:(?!(?:of|for|with|from|in|to|at)\b)[\w-]+\s+){{0,4}}?{_GROUP_NOUNS}\b"
)
# A count word opening a span ("Seven non-Iranians") makes it a description, not a name.
_COUNT_WORDS = frozenset(
    ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "dozens",
     "hundreds", "thousands", "several", "many"]
)
_CALENDAR = frozenset(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
     "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
)


def _role_mentions(text: str) -> list[Mention]:
    """Places and groups named by the noun that governs them (see `_PLACE_OF`, `_GROUP_BEFORE`)."""
    out: list[Mention] = []
    for pat, label in ((_PLACE_OF, "LOC"), (_PLACE_AFTER, "LOC"), (_GROUP_BEFORE, "ORG"), (_GROUP_AFTER, "ORG")):
        for m in pat.finditer(text):
            start, name = m.start(1), m.group(1)
            # "Pakistan's Balochistan province": the place is what follows the possessive
            poss = list(re.finditer(r"\S+['’]s\s+", name))
            if poss:
                start, name = start + poss[-1].end(), name[poss[-1].end() :]
            first = _fold(name.split()[0]) if name.split() else ""
            if not first or first in _FUNCTION_WORDS | _TITLES | _CALENDAR or _demonym_of(name.split()[-1]):
                continue
            out.append(Mention(start, start + len(name), name, label))
    return out


def _cue_mentions(text: str) -> list[Mention]:
    out: list[Mention] = _role_mentions(text)
    for m in _PER_TITLE.finditer(text):
        name = m.group(1)
        if _in_gazetteer(name):
            continue
        out.append(Mention(m.start(1), m.start(1) + len(name), name, "PER"))
    for m in _SAID.finditer(text):
        name = m.group(1)
        if m.start(1) == 0 or text[m.start(1) - 1] in "\n":
            pass  # sentence-initial: capitalisation is no cue, but a two-word name still is
        words = _fold(name).split()
        if any(w.strip(".'") in _ORG_HEADS for w in words) or _in_gazetteer(name):
            continue
        if words[0] in {"the", "a", "an", "officials", "state"}:
            continue
        out.append(Mention(m.start(1), m.end(1), name, "PER"))
    out.extend(_org_mentions(text))
    return out


_CAP_RUN = re.compile(r"\b[A-Z][\w’'-]*(?:[ \t]+(?:of|for|and|the|al-\w+|[A-Z][\w’'-]*))*")


def _org_mentions(text: str) -> list[Mention]:
    """Capitalised runs with an organisation head word ("Ministry of Foreign Affairs",
    "Pakistan's Foreign Ministry", "Baloch Liberation Front"), split at "and" after a head."""
    out: list[Mention] = []
    for m in _CAP_RUN.finditer(text):
        # word spans inside the run
        words = [(w.start() + m.start(), w.end() + m.start(), w.group()) for w in re.finditer(r"\S+", m.group())]
        pieces: list[list[tuple[int, int, str]]] = [[]]
        for i, w in enumerate(words):
            prev = pieces[-1]
            if w[2] == "and" and prev and _fold(prev[-1][2]).strip(".’'") in _ORG_HEADS and i + 1 < len(words):
                pieces.append([])
                continue
            prev.append(w)
        for piece in pieces:
            while piece and _fold(piece[-1][2]) in _CONNECT_WORDS:
                piece.pop()
            while piece and _fold(piece[0][2]) in _CONNECT_WORDS | {"a", "an"}:
                piece = piece[1:]
            # a run of 7+ capitalised words is a title-case headline, not a name
            if len(piece) < 2 or len(piece) > 6:
                continue
            folded = [_fold(w[2]).strip(".’'") for w in piece]
            folded = [re.sub(r"'s$", "", f) for f in folded]
            if not any(f in _ORG_HEADS for f in folded[1:]) and folded[0] not in ("ministry", "university", "bank"):
                continue
            s, e = piece[0][0], piece[-1][1]
            out.append(Mention(s, e, text[s:e], "ORG"))
    return out


# Lone capitalised words the model mistakes for names (seen in bench/ner_eval.py errors on GUM
# dev and PUD): organisation heads, titles, and a few generic nouns.
_COMMON_CAPS = frozenset(
    {"war", "river", "trade", "state", "states", "city", "national", "world", "north", "south", "east", "west"}
)


@lru_cache(maxsize=1)
def _blas() -> Any:
    """The process's math-library thread pools (threadpoolctl), found once (~30 ms)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _model_mentions(texts: Sequence[str]) -> list[list[Mention]]:
    nlp = load_model()
    if nlp is None:
        return [[] for _ in texts]
    out: list[list[Mention]] = []
    # One BLAS thread for the model's products: they are small (a story's few sentences, 96-wide
    # layers), so a second OpenBLAS thread only spins. Where the engine runs inline (1 worker, no
    # pool to set threads) OpenBLAS had one thread per core: 400 seed sentences in batches of 5
    # (a lone story's lead) took 3.2-3.8 CPU-s, and 0.7-0.8 CPU-s under this limit, the same
    # entities (the products do not depend on the thread count).
    with _blas().limit(limits=1, user_api="blas"):
        docs = list(nlp.pipe(texts, batch_size=64))
    for doc in docs:
        ms = []
        for ent in doc.ents:
            t = ent.text.strip()
            if not t or not (t[0].isupper() or t[0].isdigit()) or ent.label_ not in LABELS:
                continue
            if " " not in t and (_fold(t) in _COMMON_CAPS or _fold(t) in _ORG_HEADS or _fold(t) in _TITLES):
                continue  # "Minister", "Bank", "Government": a capitalised noun, not a name
            if _fold(t.split()[0]) in _COUNT_WORDS:
                continue  # "Seven non-Iranians": a counted description
            ms.append(Mention(ent.start_char, ent.start_char + len(t), t, ent.label_))
        out.append(ms)
    return out


def _merge(cands: Iterable[tuple[int, Mention]], text: str) -> list[Mention]:
    """Pick non-overlapping mentions: higher-priority source first, then longer span."""
    chosen: list[Mention] = []
    taken = [False] * (len(text) + 1)
    for _prio, m in sorted(cands, key=lambda pm: (-pm[0], -(pm[1].end - pm[1].start), pm[1].start)):
        if any(taken[m.start : m.end]):
            continue
        for k in range(m.start, m.end):
            taken[k] = True
        chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def _label_fix(m: Mention) -> Mention:
    """Model labels overridden by what the gazetteer and head words know."""
    words = [_fold(w).strip(".’'") for w in m.text.split()]
    if _in_gazetteer(m.text):
        return Mention(m.start, m.end, m.text, "LOC")
    if len(words) > 1 and words[-1] in _ORG_HEADS:
        return Mention(m.start, m.end, m.text, "ORG")
    if len(words) == 1 and _demonym_of(m.text):
        return Mention(m.start, m.end, m.text, "MISC")
    return m


def _headline(text: str) -> bool:
    """Title-case text ("Iran Fires Missiles at Iraq, Killing at Least 6"), where every content
    word is capitalised: at least five words of 4+ letters, 90% of them capitalised (a news
    sentence full of names, "Chile's President Gabriel Boric visited Valparaiso on Sunday", has
    its verb in lower case and stays below)."""
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) >= 4]
    if len(words) < 5:
        return False
    return sum(w[0].isupper() for w in words) >= 0.9 * len(words)


# Mentions by text, most recently used last: each text's mentions depend on that text alone, and a
# story's wire copies and re-worded reports repeat whole sentences (bench/throughput.py's corpus:
# 875 distinct of 2,513 sentences embedded over 300 articles), as do the windows quotes.py resolves
# pronouns in. 20,000 texts of a few mentions each are a few MB per process.
_MENTIONS: OrderedDict[str, tuple[Mention, ...]] = OrderedDict()
_MENTIONS_MAX = 20_000
_MENTIONS_LOCK = threading.Lock()


def _find_many(texts: Sequence[str]) -> list[list[Mention]]:
    """Mentions per text; each distinct text is analysed once per process (`_MENTIONS`)."""
    with _MENTIONS_LOCK:
        found = {t: _MENTIONS[t] for t in texts if t in _MENTIONS}
    todo = [t for t in dict.fromkeys(texts) if t not in found]
    if todo:
        found.update(zip(todo, map(tuple, _find_uncached(todo)), strict=True))
    with _MENTIONS_LOCK:
        for t in found:
            _MENTIONS[t] = found[t]
            _MENTIONS.move_to_end(t)
        while len(_MENTIONS) > _MENTIONS_MAX:
            _MENTIONS.popitem(last=False)
    return [list(found[t]) for t in texts]


def _find_uncached(texts: Sequence[str]) -> list[list[Mention]]:
    model = _model_mentions(texts)
    out = []
    for text, mm in zip(texts, model, strict=True):
        cands: list[tuple[int, Mention]] = []
        cands += [(3, m) for m in _gaz_mentions(text)]
        if _headline(text):
            # In title case capitals carry no signal: only gazetteer places are trusted there.
            out.append(_merge(cands, text))
            continue
        cands += [(4 if m.label == "ORG" else 2, m) for m in _cue_mentions(text)]
        cands += [(1, _label_fix(m)) for m in mm]
        out.append([_untitled(m) for m in _merge(cands, text)])
    return out


def _untitled(m: Mention) -> Mention:
    """A PER mention without leading titles ("Interior Minister Jane Doe" -> "Jane Doe")."""
    if m.label != "PER":
        return m
    words = list(re.finditer(r"\S+", m.text))
    k = 0
    while k < len(words) - 1 and _fold(words[k].group()).strip(".") in _TITLES:
        k += 1
    if k == 0:
        return m
    off = words[k].start()
    return Mention(m.start + off, m.end, m.text[off:], "PER")


def find_mentions(text: str) -> list[Mention]:
    """Entity mentions in `text` (offsets into it), from gazetteers, cue rules and the model.

    >>> [(m.text, m.label) for m in find_mentions("Officials in Iran's Sistan and Baluchestan province said.")]
    [('Iran', 'LOC'), ('Sistan and Baluchestan', 'LOC')]
    """
    return _find_many([text])[0]


# --------------------------------------------------------------------------- story entities


class _Group:
    __slots__ = ("initial_only", "keys", "labels", "mentions", "sources", "variants")

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.variants: Counter[str] = Counter()
        self.labels: Counter[str] = Counter()
        self.sources: dict[str, None] = {}
        self.mentions = 0
        # every mention a lone capitalised word opening its sentence ("Missiles hit ...")
        self.initial_only = True

    def absorb(self, other: _Group) -> None:
        self.keys |= other.keys
        self.variants.update(other.variants)
        self.labels.update(other.labels)
        for s in other.sources:
            self.sources.setdefault(s, None)
        self.mentions += other.mentions
        self.initial_only = self.initial_only and other.initial_only

    @property
    def label(self) -> str:
        # a specific type beats MISC when both were seen (the model often calls rare names MISC)
        specific = [(n, lab) for lab, n in self.labels.items() if lab != "MISC"]
        if specific:
            return max(specific)[1]
        return "MISC"

    @property
    def name(self) -> str:
        return max(self.variants.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]


def _display(text: str, label: str) -> str:
    # typographic apostrophes would split one name into two variants
    t = re.sub(r"'s?$", "", text.strip().replace("’", "'")).strip(" .,;:")
    if label == "PER":
        t = _strip_titles(t)
    return t


def extract_entities(articles: Sequence[Article], sentences: Mapping[str, Sequence[Sentence]]) -> tuple[Entity, ...]:
    """The story's entities, spelling variants merged, most-mentioned first.

    Args:
        articles: the story's articles.
        sentences: article id -> `storydesk.segment.sentences(article)`.
    """
    units: list[tuple[str, str]] = []
    for art in articles:
        for s in sentences.get(art.id, ()):
            units.append((art.id, s.text))
    found = _find_many([t for _, t in units])

    groups: dict[str, _Group] = {}
    for (aid, _text), mentions in zip(units, found, strict=True):
        for m in mentions:
            shown = _display(m.text, m.label)
            key = canonical(shown)
            if len(key) < 2:
                continue
            # one key, one entity whatever label each mention got; demonyms have keys of their
            # own ("pakastana" vs "pakastan"), so they never join their country here
            g = groups.setdefault(key, _Group())
            g.keys.add(key)
            g.variants[shown] += 1
            g.labels[m.label] += 1
            g.sources.setdefault(aid, None)
            g.mentions += 1
            g.initial_only = g.initial_only and m.start == 0 and " " not in m.text and m.label != "LOC"

    # A word seen only capitalised at the start of a sentence may just be an ordinary word
    # ("Missiles", "Death"); keep it only when a gazetteer or a second position vouches for it.
    merged = [g for g in _merge_groups(list(groups.values())) if not g.initial_only]
    merged.sort(key=lambda g: (-len(g.sources), -g.mentions, g.name))
    order = {a.id: i for i, a in enumerate(articles)}
    return tuple(
        Entity(
            name=g.name,
            type=g.label,
            variants=tuple(sorted(g.variants, key=lambda v: (-g.variants[v], v))),
            sources=tuple(sorted(g.sources, key=order.__getitem__)),
            mentions=g.mentions,
        )
        for g in merged
    )


def _merge_groups(groups: list[_Group]) -> list[_Group]:
    # 1) fuzzy spelling: union groups whose names are the same entity by `same_entity`
    parent = list(range(len(groups)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    reps = [g.name for g in groups]
    # each group's type read once: the loop below visits every pair of a story's names, and
    # `label` recounted them per pair (47,216 reads for 10 two-outlet stories of real pages)
    misc = [g.label == "MISC" for g in groups]
    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            if misc[i] != misc[j]:
                continue
            if find(i) != find(j) and same_entity(reps[i], reps[j]):
                parent[find(j)] = find(i)
    buckets: dict[int, _Group] = {}
    for i, g in enumerate(groups):
        root = find(i)
        if root not in buckets:
            buckets[root] = _Group()
        buckets[root].absorb(g)
    out = list(buckets.values())

    # 2) a lone surname joins the single multi-word person name in the story that ends with it
    by_last: dict[str, list[_Group]] = defaultdict(list)
    for g in out:
        if g.label == "PER":
            for v in g.variants:
                toks = [t for t in _tokens(v) if t not in _CONNECTORS]
                if len(toks) > 1:
                    by_last[_skeleton(toks[-1])].append(g)
                    by_last[canonical(toks[-1])].append(g)
    keep: list[_Group] = []
    for g in out:
        toks = [t for t in _tokens(g.name) if t not in _CONNECTORS]
        if g.label in ("PER", "MISC", "ORG") and len(toks) == 1:
            key = canonical(toks[0])
            owners = {id(o): o for o in by_last.get(key, []) if o is not g}
            if not owners:
                # also accept a fuzzy surname match ("Amir-Abdollahian" -> "Amirabdollahian")
                owners = {id(o): o for k, lst in by_last.items() for o in lst if o is not g and same_entity(k, key)}
            if len(owners) == 1 and not (g.label == "MISC" and _demonym_of(g.name)):
                next(iter(owners.values())).absorb(g)
                continue
        keep.append(g)
    return keep
