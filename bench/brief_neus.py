"""Brief quality on NeuS / AllSides: ROUGE against the editors' neutral roundups, with baselines.

    .venv/bin/python bench/brief_neus.py [--split val] [--limit N] [--words 76] [--mode both]

Data: ../shared/data/neus-allsides/{split}.source|target (read in place). Each line is one event:
three outlets' leads (`TITLE=> ... ARTICLE=> ...` joined by ` [SEP] `) and the AllSides roundup.
The reference is the roundup's ARTICLE part (its neutral headline is dropped: the brief writes no
headline).

Modes:
- `gold`: storydesk's brief (`storydesk.brief.summarise`) per gold event, on Article records built
  from the three leads: measures the summariser alone.
- `pipeline`: every event written as JSONL (one line per outlet lead, url unique per outlet and
  event) into a temp dir and run as ONE corpus through `storydesk.pipeline.run`, so ingest,
  cleaning and clustering are part of the test. Each event is scored with the brief of the story
  that holds most of its articles (ties: the story with fewer other events). A story that mixes
  events is scored, unchanged, against every event it is the majority story of (its extra content
  costs precision); an event split across stories gets only its majority story's brief (the lost
  articles cost recall); an event none of whose articles reached a story scores 0.

Every MiniLM vector any stage computes is kept in `--embed-cache` (a file under the system temp
dir by default), so a second run embeds only texts it has not seen: the pipeline mode on the
whole split then fits in a few minutes on the shared 2-core box. The table's `embedded` line says
how many texts were new and how many came from the cache.

All systems, baselines included, are cut to the first `--words` words before scoring; the
baselines always see the gold events (an advantage over the pipeline mode). Baselines: Lead-1-each
(first sentence of each outlet), TF-IDF centroid (sentences nearest the event's TF-IDF centroid),
LexRank and TextRank (sumy, with this script's tokenizer: NLTK data is unavailable).

"supported" is the share of brief sentences all of whose citations check out, judged here
independently of the summariser's own rule: the cited article contains the sentence verbatim, or
its cited passage is really in that article, states every number of the sentence, and holds at
least half of the sentence's content words (Porter-stemmed, scikit-learn's English stopwords out)
or has MiniLM cosine >= 0.7 to it. (Until this session the word test was ROUGE-1 recall >= 0.4,
which measured the share of the *passage's* words in the sentence: the wrong direction.)
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rouge_score import rouge_scorer  # noqa: E402

from storydesk.brief import summarise  # noqa: E402
from storydesk.brief import support as sp  # noqa: E402
from storydesk.records import Article, BriefSentence, CrossCheck  # noqa: E402
from storydesk.segment import split_text  # noqa: E402
from storydesk.settings import Settings  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "neus-allsides"
_PART = re.compile(r"TITLE=>\s*(.*?)\s*ARTICLE=>\s*(.*)", re.DOTALL)


def parse_source(line: str) -> list[tuple[str, str]]:
    """[(title, lead)] for each outlet of one event."""
    out = []
    for chunk in line.split(" [SEP] "):
        m = _PART.search(chunk)
        if m:
            title = m.group(1).strip().rstrip(".").strip()
            out.append((title, m.group(2).strip()))
        elif chunk.strip():
            out.append(("", chunk.strip()))
    return out


def parse_target(line: str) -> str:
    m = _PART.search(line)
    return (m.group(2) if m else line).strip()


def load(split: str, limit: int | None) -> list[tuple[list[tuple[str, str]], str]]:
    src = (DATA / f"{split}.source").read_text(encoding="utf-8").splitlines()
    tgt = (DATA / f"{split}.target").read_text(encoding="utf-8").splitlines()
    events = [(parse_source(s), parse_target(t)) for s, t in zip(src, tgt, strict=True)]
    return events[:limit] if limit else events


OUTLETS = ("outlet-a", "outlet-b", "outlet-c", "outlet-d", "outlet-e")


def event_articles(e: int, leads: list[tuple[str, str]]) -> list[Article]:
    return [
        Article(id=f"e{e}-{k}", outlet=OUTLETS[k % len(OUTLETS)], title=title or None,
                url=f"https://neus.example/{OUTLETS[k % len(OUTLETS)]}/event-{e}", published=None,
                language="en", raw_text=text, text=text)
        for k, (title, text) in enumerate(leads)
    ]


def cut(text: str, n: int) -> str:
    return " ".join(text.split()[:n])


# ----------------------------------------------------------------------------- baselines


def sentences_of(leads: list[tuple[str, str]]) -> list[list[str]]:
    return [[t for _, _, t in split_text(text)] for _, text in leads]


def lead1(leads: list[tuple[str, str]]) -> str:
    return " ".join(s[0] for s in sentences_of(leads) if s)


def fill(ranked: list[str], words: int) -> str:
    out, n = [], 0
    for s in ranked:
        if n >= words:
            break
        out.append(s)
        n += len(s.split())
    return " ".join(out)


def tfidf_centroid(leads: list[tuple[str, str]], words: int) -> str:
    from sklearn.feature_extraction.text import TfidfVectorizer

    sents = [s for ss in sentences_of(leads) for s in ss]
    if not sents:
        return ""
    m = TfidfVectorizer(stop_words="english").fit_transform(sents)
    centroid = m.mean(axis=0).A1
    scores = m @ centroid
    ranked = [sents[i] for i in sorted(range(len(sents)), key=lambda i: (-scores[i], i))]
    return fill(ranked, words)


class _Tokenizer:
    """sumy's tokenizer interface on storydesk's segmenter (sumy's own needs NLTK punkt data)."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(t for _, _, t in split_text(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(w for w in re.findall(r"[A-Za-z][A-Za-z'\-]*|\d+", sentence))


def sumy_rank(leads: list[tuple[str, str]], words: int, kind: str) -> str:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    text = "\n\n".join(t for _, t in leads)
    doc = PlaintextParser(text, _Tokenizer()).document
    summ = (LexRankSummarizer if kind == "lexrank" else TextRankSummarizer)(Stemmer("english"))
    summ.stop_words = get_stop_words("english")
    n = len(doc.sentences)
    if n == 0:
        return ""
    # the smallest summary (sumy keeps document order) that meets the word budget
    for k in range(1, n + 1):
        picked = [str(x) for x in summ(doc, k)]
        if sum(len(x.split()) for x in picked) >= words:
            break
    return " ".join(picked)


# ----------------------------------------------------------------------------- embedding cache


class EmbedCache:
    """MiniLM vectors on disk, keyed by the text's SHA-1, shared by every stage and every run.

    Embedding is most of the pipeline mode's time (ingest, clustering, cross-check and the brief each
    embed the same leads), and the val split's texts do not change between runs, so after the
    first run only new texts are embedded. `storydesk.embed.embed` is swapped for a caching
    wrapper in this process only (every stage imports it at call time); the vectors are the
    model's own, stored as float32, so scores do not change.
    """

    def __init__(self, path: Path) -> None:
        import numpy as np

        import storydesk.embed as emb

        self.path, self.np, self.emb = path, np, emb
        self.vecs: dict[str, object] = {}
        if path.exists():
            with np.load(path) as z:
                self.vecs = dict(zip(z["keys"].tolist(), z["vecs"], strict=True))
        self.loaded = len(self.vecs)
        self.hits = self.misses = 0
        self._embed = emb.embed
        emb.embed = self.embed

    @staticmethod
    def key(text: str) -> str:
        import hashlib

        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(self, texts, batch_size: int = 64):
        if not texts:
            return self._embed(texts)
        keys = [self.key(t) for t in texts]
        todo = list(dict.fromkeys((k, t) for k, t in zip(keys, texts, strict=True) if k not in self.vecs))
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        if todo:
            fresh = self._embed([t for _, t in todo], batch_size=batch_size)
            self.vecs.update((k, fresh[i]) for i, (k, _) in enumerate(todo))
        return self.np.stack([self.vecs[k] for k in keys]).astype(self.np.float32)

    def save(self) -> None:
        if len(self.vecs) == self.loaded:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.vecs)
        tmp = self.path.with_suffix(".tmp.npz")
        self.np.savez(tmp, keys=self.np.array(keys), vecs=self.np.stack([self.vecs[k] for k in keys]))
        tmp.replace(self.path)


# ----------------------------------------------------------------------------- support check


class SupportChecker:
    """An independent judge of citations (none of the summariser's own rules or word lists)."""

    # Share of the sentence's content words (Porter-stemmed, scikit-learn's English stopwords
    # dropped) that the cited passage must contain, unless the two are close in MiniLM space.
    MIN_WORD_SHARE = 0.5
    MIN_COSINE = 0.7

    def __init__(self) -> None:
        from rouge_score import tokenizers
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        self.tok = tokenizers.DefaultTokenizer(use_stemmer=True)
        self.stop = {w for s in ENGLISH_STOP_WORDS for w in self.tok.tokenize(s)}

    def words(self, text: str) -> set[str]:
        return {w for w in self.tok.tokenize(text) if w not in self.stop and len(w) > 1}

    def check(self, b: BriefSentence, articles: dict[str, Article],
              claims: dict[str, set[tuple[str, int, int]]] | None = None) -> bool:
        if not b.sources:
            return False
        passages = {p.article: p for p in b.passages}
        for sid in b.sources:
            art = articles.get(sid)
            if art is None:
                return False
            if b.text in art.text:
                continue
            p = passages.get(sid)
            if p is None or p.text not in art.text:
                return False
            # the cited passage is that article's wording of the claim the sentence states
            if b.claim and claims and (p.article, p.start, p.end) in claims.get(b.claim, set()):
                continue
            if not sp.numbers_supported(b.text, [p.text]):
                return False
            need = self.words(b.text)
            if need and len(need & self.words(p.text)) / len(need) >= self.MIN_WORD_SHARE:
                continue
            # storydesk.embed caches per process: the brief's sentences are not embedded again
            from storydesk.embed import embed

            v = embed([b.text, p.text])
            if float(v[0] @ v[1]) < self.MIN_COSINE:
                return False
        return True


# ----------------------------------------------------------------------------- modes


def run_gold(events, words: int, settings: Settings):
    briefs, arts_by_event = [], []
    for e, (leads, _) in enumerate(events):
        arts = event_articles(e, leads)
        briefs.append(summarise(arts, CrossCheck(), {}, settings))
        arts_by_event.append({a.id: a for a in arts})
    return briefs, arts_by_event, {}, {}, None


def run_pipeline(events, words: int, settings: Settings):
    from storydesk.pipeline import run

    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        lines = []
        for e, (leads, _) in enumerate(events):
            for k, (title, text) in enumerate(leads):
                lines.append(json.dumps({
                    "url": f"https://neus.example/{OUTLETS[k % len(OUTLETS)]}/event-{e}",
                    "outlet": OUTLETS[k % len(OUTLETS)], "title": title, "text": text,
                }))
        corpus = tmpd / "neus.jsonl"
        corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = tmpd / "out"
        run([corpus], out, settings.replace(data_dir=tmpd / "store"))
        doc = json.loads((out / "stories.json").read_text(encoding="utf-8"))
        # the cleaned texts the citations point into
        from storydesk.store import open_store

        store = open_store(tmpd / "store")
        try:
            ids = [a["id"] for st in doc["stories"] for a in st["articles"]]
            cleaned = {a.id: a for a in store.iter_articles(ids)}
        finally:
            store.close()
    url_event = re.compile(r"/event-(\d+)$")
    story_events: dict[str, Counter] = {}
    event_stories: dict[int, Counter] = defaultdict(Counter)
    by_id = {}
    claim_spans = {c["id"]: {(p["article"], p["start"], p["end"]) for p in c.get("passages", [])}
                   for st in doc["stories"] for c in st.get("claims", []) if "id" in c}
    art_maps: dict[str, dict[str, Article]] = {}
    for st in doc["stories"]:
        by_id[st["id"]] = st
        c: Counter = Counter()
        amap = {}
        for a in st["articles"]:
            m = url_event.search(a.get("url") or "")
            if m:
                ev = int(m.group(1))
                c[ev] += 1
                event_stories[ev][st["id"]] += 1
                if a["id"] in cleaned:
                    amap[a["id"]] = cleaned[a["id"]]
        story_events[st["id"]] = c
        art_maps[st["id"]] = amap
    briefs, arts_by_event = [], []
    for e in range(len(events)):
        cands = event_stories.get(e)
        if not cands:
            briefs.append(())
            arts_by_event.append({})
            continue
        sid = min(cands, key=lambda s: (-cands[s], len(story_events[s]), s))
        st = by_id[sid]
        briefs.append(tuple(BriefSentence.from_dict(b) for b in st.get("brief", [])))
        arts_by_event.append(art_maps[sid])
    split = sum(1 for e in range(len(events)) if len(event_stories.get(e, {})) > 1)
    mixed = sum(1 for c in story_events.values() if len(c) > 1)
    missing = sum(1 for e in range(len(events)) if not event_stories.get(e))
    stats = {"stories": len(by_id), "events_split": split, "stories_mixed": mixed,
             "events_without_story": missing}
    return briefs, arts_by_event, stats, claim_spans, [
        category(e, event_stories, story_events) for e in range(len(events))]


def category(e: int, event_stories: dict[int, Counter], story_events: dict[str, Counter]) -> str:
    """How clustering treated event `e`: `intact` (one story, holding only this event), `mixed`
    (one story, shared with other events), `split` (its articles in several stories; `split-1`
    when the story its brief comes from holds only one of them, else `split-2+`) or `missing`
    (none of its articles in any story)."""
    cands = event_stories.get(e)
    if not cands:
        return "missing"
    if len(cands) > 1:
        return "split-1" if max(cands.values()) == 1 else "split-2+"
    (sid,) = cands
    return "mixed" if len(story_events[sid]) > 1 else "intact"


def table(args, events, refs, systems, support_rows, extra, scorer) -> None:
    print(f"\nneus-allsides {args.split}: {len(events)} events, briefs cut to {args.words} words, "
          "ROUGE F1 (stemmed) against the roundup\n")
    print(f"{'system':24} {'R-1':>6} {'R-2':>6} {'R-L':>6}")
    for name, outs in systems.items():
        sc = [scorer.score(r, cut(o, args.words)) for r, o in zip(refs, outs, strict=True)]
        r1, r2, rl = (100 * statistics.mean(s[k].fmeasure for s in sc) for k in ("rouge1", "rouge2", "rougeL"))
        print(f"{name:24} {r1:6.2f} {r2:6.2f} {rl:6.2f}")
    for name, (n, cited, ok, multi) in support_rows.items():
        print(f"\n{name}: {n} brief sentences, cited {100 * cited / max(1, n):.1f}%, "
              f"supported {100 * ok / max(1, n):.1f}%, citing 2+ outlets {100 * multi / max(1, n):.1f}%")
        print("  " + ", ".join(f"{k}={v}" for k, v in extra[name].items()))
    sys.stdout.flush()


def by_cat(refs, systems, categories, words: int, scorer) -> None:
    """ROUGE-2 F1 of every system over the events of each clustering category (pipeline mode)."""
    names = list(systems)
    print("\nROUGE-2 F1 by how clustering treated the event (pipeline mode's categories)\n")
    print(f"{'events':14} {'n':>4} " + " ".join(f"{n[:18]:>18}" for n in names))
    for cat in ("intact", "mixed", "split-2+", "split-1", "missing"):
        idx = [i for i, c in enumerate(categories) if c == cat]
        if not idx:
            continue
        cells = []
        for n in names:
            r2 = [scorer.score(refs[i], cut(systems[n][i], words))["rouge2"].fmeasure for i in idx]
            cells.append(f"{100 * statistics.mean(r2):18.2f}")
        print(f"{cat:14} {len(idx):4d} " + " ".join(cells))
    sys.stdout.flush()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="val")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--words", type=int, default=76)
    ap.add_argument("--mode", choices=["gold", "pipeline", "both"], default="gold",
                    help="pipeline mode runs every stage on the whole split (slow: minutes per 100 events)")
    ap.add_argument("--no-embed", action="store_true", help="TF-IDF vectors instead of MiniLM")
    ap.add_argument("--show-unsupported", action="store_true",
                    help="print each sentence the support judge rejects, with its cited passages")
    ap.add_argument("--embed-cache", type=Path, default=None,
                    help="MiniLM vectors kept across runs (every stage's embeddings); 'none' to disable; "
                         "default: one file per embedding backend under the system temp dir")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads; on the shared 2-core box one thread embedded 300 NeuS "
                         "sentences 3x faster than two (12.8 s vs 42.7 s at load 6.5)")
    args = ap.parse_args()
    import os

    import torch

    torch.set_num_threads(args.threads)
    if args.embed_cache is None:
        # one cache per backend (torch, onnxruntime, onnxruntime-int8): their vectors differ slightly,
        # and a score must come from the vectors the product computes
        from storydesk.embed import get_model

        backend = getattr(get_model(), "backend", "torch")
        args.embed_cache = Path(tempfile.gettempdir()) / "storydesk-bench" / f"minilm-vectors-{backend}.npz"
    cache = None if str(args.embed_cache) == "none" or args.no_embed else EmbedCache(args.embed_cache)

    events = load(args.split, args.limit)
    settings = Settings(brief_words=args.words, embed=not args.no_embed)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    refs = [t for _, t in events]

    systems: dict[str, list[str]] = {
        "lead-1-each": [lead1(lv) for lv, _ in events],
        "tfidf-centroid": [tfidf_centroid(lv, args.words) for lv, _ in events],
        "lexrank": [sumy_rank(lv, args.words, "lexrank") for lv, _ in events],
        "textrank": [sumy_rank(lv, args.words, "textrank") for lv, _ in events],
    }
    checker = SupportChecker()
    support_rows = {}
    extra: dict[str, dict] = {}
    modes = ["gold", "pipeline"] if args.mode == "both" else [args.mode]
    categories: list[str] | None = None
    for mode in modes:
        print(f"[{mode}] running storydesk on {len(events)} events ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            runner = run_gold if mode == "gold" else run_pipeline
            briefs, arts, stats, claim_spans, cats = runner(events, args.words, settings)
        except Exception as exc:  # the pipeline may not be complete yet: say so, keep the rest
            print(f"[{mode}] failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        name = f"storydesk ({mode})"
        if cats:
            categories = cats
        systems[name] = [" ".join(b.text for b in br) for br in briefs]
        sents = [b for br in briefs for b in br]
        cited = sum(1 for b in sents if b.sources)
        ok = 0
        for br, am in zip(briefs, arts, strict=True):
            for b in br:
                if checker.check(b, am, claim_spans):
                    ok += 1
                elif args.show_unsupported:
                    print(f"[{mode}] unsupported: {b.text!r} claim={b.claim}", file=sys.stderr)
                    for p in b.passages:
                        print(f"    {p.article}: {p.text!r}", file=sys.stderr)
        multi = sum(1 for b in sents if len(b.sources) > 1)
        support_rows[name] = (len(sents), cited, ok, multi)
        extra[name] = {**stats, "seconds": round(time.perf_counter() - t0, 1),
                       "mean_words": round(statistics.mean(len(s.split()) for s in systems[name]), 1)}
        if cache is not None:
            extra[name]["embedded"] = f"{cache.misses} new, {cache.hits} cached"
            cache.hits = cache.misses = 0
            cache.save()

    print(f"torch threads {args.threads}, load average at the end {os.getloadavg()[0]:.1f}")
    table(args, events, refs, systems, support_rows, extra, scorer)
    if categories:
        by_cat(refs, systems, categories, args.words, scorer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
