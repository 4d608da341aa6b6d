"""Cleaning quality gate (issue 11): storydesk vs plain trafilatura on real pages with human truth.

    .venv/bin/python bench/clean_quality.py                 # full gate, exit 1 below a floor
    .venv/bin/python bench/clean_quality.py --limit 20      # quick look (no gate)
    .venv/bin/python bench/clean_quality.py --write-baseline  # record the floors measured now
    .venv/bin/python bench/clean_quality.py --baseline other.json  # gate against other floors

Every set is scored in its two portions (../shared/data/README.md, "Tune and check"): tune, to
read and fit on, and check, only run and reported. article-extraction-benchmark: page ids with
int(sha1(id), 16) % 3 == 0 are check (17 of 54 pages); trafilatura-eval: pages whose URL host
has int(sha1(host), 16) % 3 == 0 are check (104 of 297 pages; by host, so one site's template
never sits on both sides). Each portion runs as its own batch (outlet templates are learned
within it, so no tune page shapes a check score), and the floors gate the check portion only.
`measure_portion()` gives those scores to other code (tests/clean/test_quality_gate.py).

Besides the two quality tables it prints cleaning speed: `clean_document` alone (one process, one
thread, models loaded first) on the benchmark pages' extracted text and on plain-text news (the
benchmark's human article bodies given as text, language unknown, as a JSONL or .txt input
reaches clean), next to the load average, since this machine is shared.

Data (read in place): ../shared/data/article-extraction-benchmark (word-4-gram shingle P/R/F1,
as its README describes) and ../shared/data/trafilatura-eval (must-keep / must-drop segment
P/R/F1). storydesk = parse_html + clean_document, then outlet templates learned across the
benchmark's own pages of each site. Plain trafilatura runs on the same pages in the same run;
the benchmark's stored outputs of other extractors are scored too.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DATA = ROOT.parent / "shared" / "data"
AEB = DATA / "article-extraction-benchmark"
TEV = DATA / "trafilatura-eval"
BASELINE = Path(__file__).with_name("clean_baseline.json")
_TOKEN = re.compile(r"\w+")


# --------------------------------------------------------------------------- metrics


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    toks = _TOKEN.findall(text or "")
    return Counter(tuple(toks[i : i + n]) for i in range(max(0, len(toks) - n + 1)))


def shingle_prf(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Mean per-page precision/recall of word 4-gram shingles; F1 of the means; exact accuracy."""
    precs, recs, exact = [], [], 0
    for truth, pred in pairs:
        ts, ps = shingles(truth), shingles(pred)
        tp = sum((ts & ps).values())
        fp = sum((ps - ts).values())
        fn = sum((ts - ps).values())
        if fp == 0 and fn == 0:
            precs.append(1.0)
            recs.append(1.0)
        else:
            if tp + fp:
                precs.append(tp / (tp + fp))
            if tp + fn:
                recs.append(tp / (tp + fn))
        exact += _TOKEN.findall(truth) == _TOKEN.findall(pred or "")
    p = sum(precs) / len(precs) if precs else 0.0
    r = sum(recs) / len(recs) if recs else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "accuracy": exact / max(1, len(pairs))}


def _norm(text: str) -> str:
    return " ".join((text or "").split())


def segment_counts(text: str, with_: list[str], without: list[str]) -> Counter[str]:
    t = _norm(text)
    c: Counter[str] = Counter()
    for s in with_:
        c["tp" if _norm(s) in t else "fn"] += 1
    for s in without:
        c["fp" if _norm(s) in t else "tn"] += 1
    return c


def segment_prf(c: Counter[str]) -> dict[str, float]:
    tp, fp, fn, tn = c["tp"], c["fp"], c["fn"], c["tn"]
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        "accuracy": (tp + tn) / max(1, tp + fp + fn + tn),
    }


# --------------------------------------------------------------------------- systems


def run_trafilatura(data: bytes, url: str | None) -> tuple[str, dict[str, Any]]:
    import trafilatura

    doc = trafilatura.bare_extraction(data, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        return "", {}
    # a Document; as_dict() gives its fields (with_metadata=True never returns a plain dict)
    d: dict[str, Any] = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return d.get("text") or "", d


def run_storydesk(data: bytes, url: str | None, settings: Any) -> tuple[Any, Any, float, float]:
    """parse_html + clean_document: (raw, article, parse s, clean s); None when the page is skipped."""
    from storydesk.clean import clean_document
    from storydesk.errors import InputError
    from storydesk.ingest.html import parse_html
    from storydesk.records import Provenance

    t0 = time.perf_counter()
    try:
        raw = parse_html(data, Provenance(url or "page", "html"), settings, url=url)
    except InputError:
        return None, None, time.perf_counter() - t0, 0.0
    t1 = time.perf_counter()
    art = clean_document(raw, settings)
    return raw, art, t1 - t0, time.perf_counter() - t1


def score_pages(pages: list[tuple[str, bytes, str | None]], settings: Any) -> dict[str, Any]:
    """Run both systems on every page; returns texts, metadata, timings, slowest page."""
    from storydesk.clean import apply_templates, learn_templates

    sd_articles: dict[str, Any] = {}
    raws: list[Any] = []
    tf_out: dict[str, tuple[str, dict[str, Any]]] = {}
    sd_time = tf_time = clean_time = 0.0
    slowest = ("", 0.0)
    for pid, data, url in pages:
        t0 = time.perf_counter()
        tf_out[pid] = run_trafilatura(data, url)
        t1 = time.perf_counter()
        raw, sd_articles[pid], _, clean_s = run_storydesk(data, url, settings)
        t2 = time.perf_counter()
        if raw is not None:
            raws.append(raw)
        tf_time += t1 - t0
        sd_time += t2 - t1
        clean_time += clean_s
        if t2 - t1 > slowest[1]:
            slowest = (pid, t2 - t1)
    t3 = time.perf_counter()
    templates = learn_templates(a for a in sd_articles.values() if a is not None)
    sd_final = {k: (apply_templates(a, templates) if a is not None else None) for k, a in sd_articles.items()}
    sd_time += time.perf_counter() - t3
    return {
        "sd": sd_final,
        "tf": tf_out,
        "raws": raws,
        "sd_time": sd_time,
        "tf_time": tf_time,
        "clean_time": clean_time,
        "slowest": slowest,
        "templates": len(templates),
    }


def clean_rate(docs: list[Any], settings: Any, repeat: int = 3) -> tuple[float, float]:
    """(articles/s of clean_document alone, best of `repeat` passes; mean words per article)."""
    from storydesk.clean import clean_document

    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for d in docs:
            clean_document(d, settings)
        best = min(best, time.perf_counter() - t0)
    words = sum(len(d.text.split()) for d in docs) / max(1, len(docs))
    return len(docs) / best, words


def text_docs(truth: dict[str, str]) -> list[Any]:
    """The benchmark's human article bodies as plain-text inputs (no title, no language)."""
    from storydesk.records import Provenance, RawDocument

    docs = [RawDocument(Provenance(f"{k}.txt", "text"), v) for k, v in sorted(truth.items()) if v.strip()]
    seeds = sorted((DATA.parent / "corpus" / "seeds").glob("*.txt"))
    docs += [RawDocument(Provenance(p.name, "text"), p.read_text(encoding="utf-8")) for p in seeds]
    return docs


# --------------------------------------------------------------------------- data sets

PORTIONS = ("tune", "check")


def _third(text: str) -> str:
    """The data README's split: "check" when int(sha1(text), 16) % 3 == 0, else "tune"."""
    return "check" if int(hashlib.sha1(text.encode()).hexdigest(), 16) % 3 == 0 else "tune"


def aeb_portion(page_id: str) -> str:
    """article-extraction-benchmark: split by page id."""
    return _third(page_id)


def tev_portion(url: str) -> str:
    """trafilatura-eval: split by URL host (keys that are no URL, "hard::...", have host "")."""
    return _third(urlsplit(url).netloc)



def load_aeb(limit: int | None, portion: str | None = None
             ) -> tuple[list[tuple[str, bytes, str | None]], dict[str, str]]:
    """Pages and human article bodies (the first `limit` page ids of `portion`; None: all)."""
    truth = json.loads((AEB / "ground-truth.json").read_text())
    ids = sorted(i for i in truth if portion is None or aeb_portion(i) == portion)
    ids = ids[:limit] if limit else ids
    pages = [(i, gzip.decompress((AEB / "html" / f"{i}.html.gz").read_bytes()), truth[i].get("url")) for i in ids]
    return pages, {i: truth[i]["articleBody"] for i in ids}


def load_tev(limit: int | None, portion: str | None = None
             ) -> tuple[list[tuple[str, bytes, str | None]], dict[str, Any]]:
    """Pages and must-keep / must-drop segments (the first `limit` URLs of `portion`; None: all)."""
    ev = json.loads((TEV / "evaldata.json").read_text())
    urls = sorted(u for u in ev if portion is None or tev_portion(u) == portion)
    urls = urls[:limit] if limit else urls
    pages = []
    for u in urls:
        path = TEV / "html" / (ev[u]["file"] + ".gz")
        if not path.exists():
            path = TEV / "html" / ev[u]["file"]
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        pages.append((u, data, u if u.startswith("http") else None))
    return pages, {u: ev[u] for u in urls}


def _mkey(v: str | None) -> str:
    return " ".join(re.findall(r"\w+", (v or "").casefold()))


def meta_scores(truth: dict[str, Any], got: dict[str, dict[str, str | None]]) -> dict[str, tuple[int, int]]:
    """Per field: (correct, scored) over pages whose truth has a non-empty value."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pid, t in truth.items():
        g = got.get(pid) or {}
        for f in ("title", "author", "date", "sitename"):
            tv = t.get(f)
            if not tv or not isinstance(tv, str):
                continue
            gv = g.get(f) or ""
            out[f][1] += 1
            if f == "date":
                ok = gv[:10] == tv[:10]
            elif f == "author":
                tw, gw = set(_mkey(tv).split()), set(_mkey(gv).split())
                ok = bool(tw) and len(tw & gw) >= max(1, len(tw) // 2)
            else:
                ok = _mkey(gv) == _mkey(tv) or (_mkey(tv) != "" and _mkey(tv) in _mkey(gv))
            out[f][0] += ok
    return {k: (v[0], v[1]) for k, v in out.items()}


# --------------------------------------------------------------------------- main


def _row(name: str, s: dict[str, float]) -> str:
    return f"  {name:<28} {s['precision']:.3f}  {s['recall']:.3f}  {s['f1']:.3f}  {s['accuracy']:.3f}"


def quality_settings() -> Any:
    """Settings for measuring quality: scores must not depend on the machine's load.

    With the default 2 s bound, a page that runs out of time on a busy machine falls back to
    plain paragraphs and the score moves (seen at load 9 on this 2-core machine). Quality is
    measured with a 10 s bound; the time target is checked on the measured per-page times instead.
    """
    from storydesk.settings import Settings

    return Settings(extract_timeout_s=max(10.0, Settings().extract_timeout_s))


def warm_up() -> float:
    """Load the extractor's and cleaning's models before timing; returns the seconds it took.

    Cleaning loads lingua's low-accuracy models on first use, and the accurate models of two
    languages when it checks a foreign paragraph: load those of the commonest languages first so
    that per-page times measure pages, not one-time start-up.
    """
    from storydesk.clean import language
    from storydesk.ingest.html import warm_up as warm_extractor

    t0 = time.perf_counter()
    warm_extractor()  # the extractor's own start-up (dateparser locales, justext stop lists)
    language.warm_up()
    samples = {
        "en": "The minister said on Tuesday that the government would not change its position.",
        "fr": "Le ministre a déclaré mardi que le gouvernement ne changerait pas de position.",
        "de": "Der Minister sagte am Dienstag, die Regierung werde ihre Haltung nicht ändern.",
        "es": "El ministro dijo el martes que el gobierno no cambiaría de posición.",
    }
    for a in samples:
        for b in samples:
            if a < b:
                language.confirm_other(samples[b], a, b, 0.9)
    return time.perf_counter() - t0


def measure_portion(portion: str, settings: Any = None, limit: int | None = None) -> dict[str, Any]:
    """storydesk and plain trafilatura on one portion ("tune" or "check") of both page sets.

    Returns {"aeb": {"storydesk": prf, "trafilatura": prf, "pages", "truth", "res"},
    "tev": {"storydesk": prf, "trafilatura": prf, "pages", "segments", "res", "meta"}, "scores"}:
    prf = precision/recall/f1/accuracy; "scores" = the gate's flat numbers (aeb_shingle_f1, ...).
    """
    if portion not in PORTIONS:
        raise ValueError(f"unknown portion {portion!r}")
    settings = settings if settings is not None else quality_settings()
    pages, truth = load_aeb(limit, portion)
    res = score_pages(pages, settings)
    aeb_sd = shingle_prf([(truth[i], res["sd"][i].text if res["sd"][i] else "") for i in truth])
    aeb_tf = shingle_prf([(truth[i], res["tf"][i][0]) for i in truth])

    pages2, ev = load_tev(limit, portion)
    res2 = score_pages(pages2, settings)
    c_sd: Counter[str] = Counter()
    c_tf: Counter[str] = Counter()
    sd_meta: dict[str, dict[str, str | None]] = {}
    tf_meta: dict[str, dict[str, str | None]] = {}
    for u, t in ev.items():
        a = res2["sd"][u]
        c_sd += segment_counts(a.text if a else "", t.get("with", []), t.get("without", []))
        c_tf += segment_counts(res2["tf"][u][0], t.get("with", []), t.get("without", []))
        if a is not None:
            sd_meta[u] = {"title": a.title, "author": a.author, "date": a.published, "sitename": a.outlet}
        m = res2["tf"][u][1]
        tf_meta[u] = {"title": m.get("title"), "author": m.get("author"), "date": m.get("date"),
                      "sitename": m.get("sitename")}
    tev_sd, tev_tf = segment_prf(c_sd), segment_prf(c_tf)
    scores = {
        "aeb_shingle_f1": aeb_sd["f1"], "aeb_shingle_precision": aeb_sd["precision"],
        "aeb_shingle_recall": aeb_sd["recall"],
        "tev_segment_f1": tev_sd["f1"], "tev_segment_precision": tev_sd["precision"],
        "tev_segment_recall": tev_sd["recall"],
        "tev_segment_f1_trafilatura": tev_tf["f1"], "aeb_shingle_f1_trafilatura": aeb_tf["f1"],
    }
    return {
        "aeb": {"storydesk": aeb_sd, "trafilatura": aeb_tf, "pages": pages, "truth": truth, "res": res},
        "tev": {"storydesk": tev_sd, "trafilatura": tev_tf, "pages": pages2, "res": res2,
                "segments": (c_sd["tp"] + c_sd["fn"], c_sd["fp"] + c_sd["tn"]),
                "meta": (meta_scores(ev, sd_meta), meta_scores(ev, tf_meta))},
        "scores": scores,
    }


def print_portion(portion: str, m: dict[str, Any]) -> None:
    aeb, tev = m["aeb"], m["tev"]
    truth = aeb["truth"]
    print(f"article-extraction-benchmark, {portion} portion ({len(aeb['pages'])} pages), word 4-gram shingles")
    print(f"  {'system':<28} prec   rec    F1     exact")
    print(_row("storydesk", aeb["storydesk"]))
    print(_row("trafilatura (this run)", aeb["trafilatura"]))
    for ref in sorted((AEB / "reference-outputs").glob("*.json")):
        out = json.loads(ref.read_text())["output"]
        prf = shingle_prf([(truth[i], out.get(i, {}).get("articleBody") or "") for i in truth])
        print(_row(f"{ref.stem} (stored)", prf))
    keep, drop = tev["segments"]
    print(f"\ntrafilatura-eval, {portion} portion ({len(tev['pages'])} pages, {keep} text / {drop} "
          "boilerplate segments)")
    print(f"  {'system':<28} prec   rec    F1     acc")
    print(_row("storydesk", tev["storydesk"]))
    print(_row("trafilatura (this run)", tev["trafilatura"]))
    print(f"\nmetadata on trafilatura-eval, {portion} portion (correct / scored)")
    ms_sd, ms_tf = tev["meta"]
    for f in ("title", "author", "date", "sitename"):
        if f in ms_sd or f in ms_tf:
            a, n = ms_sd.get(f, (0, 0))
            b, _ = ms_tf.get(f, (0, 0))
            print(f"  {f:<10} storydesk {a}/{n} ({a / max(1, n):.3f})   trafilatura {b}/{n} ({b / max(1, n):.3f})")


# the gated scores: storydesk's own, on the check portion
GATED = ("aeb_shingle_f1", "aeb_shingle_precision", "aeb_shingle_recall",
         "tev_segment_f1", "tev_segment_precision", "tev_segment_recall")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="first N pages of each set and portion (no gate)")
    ap.add_argument("--write-baseline", action="store_true", help="record the check floors measured now")
    ap.add_argument("--baseline", type=Path, default=BASELINE, help="floors file to gate against")
    args = ap.parse_args(argv)

    settings = quality_settings()
    print(f"(start-up: models and tables loaded in {warm_up():.1f} s, not counted below)\n")
    runs = {}
    for portion in ("check", "tune"):
        runs[portion] = measure_portion(portion, settings, args.limit)
        print_portion(portion, runs[portion])
        print()

    aeb_time = [(m["aeb"]["res"]["sd_time"], m["aeb"]["res"]["tf_time"], m["aeb"]["res"]["slowest"])
                for m in runs.values()]
    tev_time = [(m["tev"]["res"]["sd_time"], m["tev"]["res"]["tf_time"], m["tev"]["res"]["slowest"])
                for m in runs.values()]
    sd_total = sum(t[0] for t in aeb_time + tev_time)
    tf_total = sum(t[1] for t in aeb_time + tev_time)
    slow = max((t[2] for t in aeb_time + tev_time), key=lambda x: x[1])
    n_pages = sum(len(m["aeb"]["pages"]) + len(m["tev"]["pages"]) for m in runs.values())
    print(
        f"throughput (both portions): storydesk {n_pages / sd_total:.1f} pages/s, trafilatura "
        f"{n_pages / tf_total:.1f} pages/s, ratio {sd_total / tf_total:.2f}x"
    )
    print(f"slowest storydesk page: {slow[1]:.2f} s ({slow[0]})")
    print("templates learned: " + ", ".join(
        f"{m['aeb']['res']['templates']} benchmark / {m['tev']['res']['templates']} trafilatura-eval ({p})"
        for p, m in runs.items()))

    import os

    res_all = [m[s]["res"] for m in runs.values() for s in ("aeb", "tev")]
    html_docs = [r for res in res_all for r in res["raws"]]
    truth = {k: v for m in runs.values() for k, v in m["aeb"]["truth"].items()}
    plain = text_docs(truth)
    rate_html, words_html = clean_rate(html_docs, settings)
    rate_text, words_text = clean_rate(plain, settings)
    in_run = len(html_docs) / max(1e-9, sum(res["clean_time"] for res in res_all))
    print("\nclean_document alone, one process (best of 3 passes)")
    print(f"  {'input':<40} {'articles':>8} {'words':>6} {'articles/s':>11}")
    print(f"  {'extracted text of the pages above':<40} {len(html_docs):>8} {words_html:>6.0f} {rate_html:>11.1f}")
    print(f"  {'plain-text news (AEB bodies + seeds)':<40} {len(plain):>8} {words_text:>6.0f} {rate_text:>11.1f}")
    print(f"  (in the scoring pass above, first use included: {in_run:.1f} articles/s)")
    print(f"  load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")

    check = runs["check"]["scores"]
    measured = {f"check_{k}": math.floor(check[k] * 1e4) / 1e4 for k in GATED}
    if args.limit:
        return 0
    if args.write_baseline:
        # floors only go up: a score below its recorded floor keeps the old floor
        old = json.loads(args.baseline.read_text())["floors"] if args.baseline.exists() else {}
        floors = {k: max(v, old.get(k, 0.0)) for k, v in measured.items()}
        args.baseline.write_text(
            json.dumps(
                {
                    "floors": floors,
                    "note": "check portions (../shared/data/README.md), measured by bench/clean_quality.py "
                            "and rounded down; raise, never lower",
                },
                indent=2,
            )
            + "\n"
        )
        print(f"\nfloors written to {args.baseline}")
        return 0
    if not args.baseline.exists():
        print(f"GATE FAILED: no floors at {args.baseline} (record them with --write-baseline)")
        return 1
    floors = json.loads(args.baseline.read_text())["floors"]
    failed = [f"{k} {measured[k]:.4f} < floor {v:.4f}" for k, v in floors.items() if k in measured and measured[k] < v]
    # Quality targets of issue 11, on the check portion: storydesk keeps more of the text and less
    # boilerplate than trafilatura; printed, since the floors above are the gate. The time targets
    # are printed only, since wall-clock times on this shared 2-core machine move with the load.
    if check["aeb_shingle_f1"] < 0.97:
        print(f"target missed (check): shingle F1 {check['aeb_shingle_f1']:.3f} < 0.97")
    if check["tev_segment_f1"] <= check["tev_segment_f1_trafilatura"]:
        print(f"target missed (check): segment F1 {check['tev_segment_f1']:.3f} <= trafilatura "
              f"{check['tev_segment_f1_trafilatura']:.3f}")
    if slow[1] > 2.0:
        print(f"time target missed: slowest page {slow[1]:.2f} s > 2 s")
    if sd_total > 1.5 * tf_total:
        print(f"time target missed: {sd_total / tf_total:.2f}x trafilatura's time > 1.5x")
    if failed:
        print("GATE FAILED: " + "; ".join(failed))
        return 1
    print(f"gate passed (floors in {args.baseline})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
