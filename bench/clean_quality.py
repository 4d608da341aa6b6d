"""Cleaning quality gate (issue 11): storydesk vs plain trafilatura on real pages with human truth.

    .venv/bin/python bench/clean_quality.py                 # full gate, exit 1 below a floor
    .venv/bin/python bench/clean_quality.py --limit 20      # quick look (no gate)
    .venv/bin/python bench/clean_quality.py --write-baseline  # record the floors measured now
    .venv/bin/python bench/clean_quality.py --baseline other.json  # gate against other floors

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
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

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
        t, p = shingles(truth), shingles(pred)
        tp = sum((t & p).values())
        fp = sum((p - t).values())
        fn = sum((t - p).values())
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
    d = doc.as_dict()
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


def load_aeb(limit: int | None) -> tuple[list[tuple[str, bytes, str | None]], dict[str, str]]:
    truth = json.loads((AEB / "ground-truth.json").read_text())
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    pages = [(i, gzip.decompress((AEB / "html" / f"{i}.html.gz").read_bytes()), truth[i].get("url")) for i in ids]
    return pages, {i: truth[i]["articleBody"] for i in ids}


def load_tev(limit: int | None) -> tuple[list[tuple[str, bytes, str | None]], dict[str, Any]]:
    ev = json.loads((TEV / "evaldata.json").read_text())
    urls = sorted(ev)[:limit] if limit else sorted(ev)
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="first N pages of each set (no gate)")
    ap.add_argument("--write-baseline", action="store_true", help="record the floors measured now")
    ap.add_argument("--baseline", type=Path, default=BASELINE, help="floors file to gate against")
    args = ap.parse_args(argv)

    from storydesk.clean import language
    from storydesk.settings import Settings

    # Scores must not depend on the machine's load: with the default 2 s bound, a page that runs
    # out of time on a busy machine falls back to plain paragraphs and the score moves (seen at
    # load 9 on this 2-core machine). Quality is measured with a 10 s bound; the time target is
    # checked on the measured per-page times instead (slowest page, printed below).
    settings = Settings(extract_timeout_s=max(10.0, Settings().extract_timeout_s))
    # Cleaning loads lingua's low-accuracy models on first use, and the accurate models of two
    # languages when it checks a foreign paragraph: load those of the commonest languages before
    # timing so that per-page times measure pages, not one-time start-up.
    t0 = time.perf_counter()
    from storydesk.ingest.html import warm_up

    warm_up()  # the extractor's own start-up (dateparser locales, justext stop lists)
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
    print(f"(start-up: models and tables loaded in {time.perf_counter() - t0:.1f} s, not counted below)\n")

    # ---- article-extraction-benchmark
    pages, truth = load_aeb(args.limit)
    res = score_pages(pages, settings)
    sd_pairs = [(truth[i], res["sd"][i].text if res["sd"][i] else "") for i in truth]
    tf_pairs = [(truth[i], res["tf"][i][0]) for i in truth]
    aeb_sd, aeb_tf = shingle_prf(sd_pairs), shingle_prf(tf_pairs)
    print(f"article-extraction-benchmark ({len(pages)} pages), word 4-gram shingles")
    print(f"  {'system':<28} prec   rec    F1     exact")
    print(_row("storydesk", aeb_sd))
    print(_row("trafilatura (this run)", aeb_tf))
    for ref in sorted((AEB / "reference-outputs").glob("*.json")):
        out = json.loads(ref.read_text())["output"]
        print(
            _row(
                f"{ref.stem} (stored)",
                shingle_prf([(truth[i], out.get(i, {}).get("articleBody") or "") for i in truth]),
            )
        )
    aeb_time = (res["sd_time"], res["tf_time"], res["slowest"])

    # ---- trafilatura-eval
    pages2, ev = load_tev(args.limit)
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
        tf_meta[u] = {
            "title": m.get("title"),
            "author": m.get("author"),
            "date": m.get("date"),
            "sitename": m.get("sitename"),
        }
    tev_sd, tev_tf = segment_prf(c_sd), segment_prf(c_tf)
    print(
        f"\ntrafilatura-eval ({len(pages2)} pages, {c_sd['tp'] + c_sd['fn']} text / "
        f"{c_sd['fp'] + c_sd['tn']} boilerplate segments)"
    )
    print(f"  {'system':<28} prec   rec    F1     acc")
    print(_row("storydesk", tev_sd))
    print(_row("trafilatura (this run)", tev_tf))

    print("\nmetadata on trafilatura-eval (correct / scored)")
    ms_sd, ms_tf = meta_scores(ev, sd_meta), meta_scores(ev, tf_meta)
    for f in ("title", "author", "date", "sitename"):
        if f in ms_sd or f in ms_tf:
            a, n = ms_sd.get(f, (0, 0))
            b, _ = ms_tf.get(f, (0, 0))
            print(f"  {f:<10} storydesk {a}/{n} ({a / max(1, n):.3f})   trafilatura {b}/{n} ({b / max(1, n):.3f})")

    sd_total = aeb_time[0] + res2["sd_time"]
    tf_total = aeb_time[1] + res2["tf_time"]
    slow = max([aeb_time[2], res2["slowest"]], key=lambda x: x[1])
    n_pages = len(pages) + len(pages2)
    print(
        f"\nthroughput: storydesk {n_pages / sd_total:.1f} pages/s, trafilatura {n_pages / tf_total:.1f} "
        f"pages/s, ratio {sd_total / tf_total:.2f}x"
    )
    print(f"slowest storydesk page: {slow[1]:.2f} s ({slow[0]})")
    print(f"templates learned: {res['templates']} (benchmark), {res2['templates']} (trafilatura-eval)")

    import os

    html_docs = res["raws"] + res2["raws"]
    plain = text_docs(truth)
    rate_html, words_html = clean_rate(html_docs, settings)
    rate_text, words_text = clean_rate(plain, settings)
    in_run = len(html_docs) / max(1e-9, res["clean_time"] + res2["clean_time"])
    print("\nclean_document alone, one process (best of 3 passes)")
    print(f"  {'input':<40} {'articles':>8} {'words':>6} {'articles/s':>11}")
    print(f"  {'extracted text of the pages above':<40} {len(html_docs):>8} {words_html:>6.0f} {rate_html:>11.1f}")
    print(f"  {'plain-text news (AEB bodies + seeds)':<40} {len(plain):>8} {words_text:>6.0f} {rate_text:>11.1f}")
    print(f"  (in the scoring pass above, first use included: {in_run:.1f} articles/s)")
    print(f"  load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")

    measured = {
        "aeb_shingle_f1": round(aeb_sd["f1"], 4),
        "aeb_shingle_precision": round(aeb_sd["precision"], 4),
        "aeb_shingle_recall": round(aeb_sd["recall"], 4),
        "tev_segment_f1": round(tev_sd["f1"], 4),
        "tev_segment_precision": round(tev_sd["precision"], 4),
        "tev_segment_recall": round(tev_sd["recall"], 4),
    }
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
                    "note": "measured by bench/clean_quality.py on the shared dev portions; raise, never lower",
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
    failed = [
        f"{k} {measured[k]:.4f} < floor {v:.4f}" for k, v in floors.items() if k in measured and measured[k] < v - 1e-4
    ]
    # Quality targets of issue 11 fail the gate like the floors; the time targets are printed
    # only, since wall-clock times on this shared 2-core machine move with the load.
    if aeb_sd["f1"] < 0.97:
        failed.append(f"target: shingle F1 {aeb_sd['f1']:.3f} < 0.97")
    if tev_sd["f1"] <= tev_tf["f1"]:
        failed.append(f"target: segment F1 {tev_sd['f1']:.3f} <= trafilatura {tev_tf['f1']:.3f}")
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
