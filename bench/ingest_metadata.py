"""Outlet, title and date of stored articles, as a new user would see them (issue 23).

    .venv/bin/python bench/ingest_metadata.py            # all sets below
    .venv/bin/python bench/ingest_metadata.py --show     # also print every newspaper4k row

Each input goes through ingest and `clean_one`, exactly as `storydesk ingest` stores it:
- news-html-newspaper4k (30 pages, ../shared/data): titles and dates against the 20 expected
  metadata records (newspaper4k's own outputs, so a regression oracle, not human truth); on every
  page, how many titles are a date or a dateline and how many outlets are empty or a number;
- the seeds (../shared/corpus/seeds), the shared feeds (feeds-rss-parser) and the ECB+ documents
  written as JSON Lines with only `url` and `text` (the issue's inputs): outlets empty / a number,
  titles that are a date, and where each `published` came from.
Nothing here is tuned on: the rules were written from sentences of our own (tests/ingest,
tests/clean); newspaper4k has no tune/check split, so all of it is reported.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from storydesk.ingest import iter_inputs
from storydesk.outlets import is_bad_outlet
from storydesk.pipeline import clean_one
from storydesk.records import Article, RawDocument
from storydesk.settings import Settings

DATA = Path("../shared/data")
N4K = DATA / "news-html-newspaper4k"
SEEDS = Path("../shared/corpus/seeds")
FEEDS = DATA / "feeds-rss-parser"
ECB = DATA / "ecbplus-events/docs.jsonl.gz"

# A title that is only a date or time ("9/10/2010 @ 1:19PM", "Friday, June 7, 2013").
_DATEISH = re.compile(
    r"^[\W\d_]*(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|"
    r"aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|am|pm|gmt|utc|et|updated|published|posted|@|[\W\d_])*$",
    re.I,
)


def _articles(paths: Iterable[Path], settings: Settings) -> list[Article]:
    out = []
    for item in iter_inputs(list(paths), settings):
        if isinstance(item, RawDocument):
            art = clean_one(item, settings)
            if isinstance(art, Article):
                out.append(art)
    return out


def _norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(re.findall(r"\w+", text))


def _dateish(title: str | None) -> bool:
    return bool(title) and bool(_DATEISH.match(title or "")) and any(c.isdigit() for c in title or "")


def _summary(name: str, arts: list[Article]) -> None:
    bad_outlet = [a for a in arts if is_bad_outlet(a.outlet)]
    date_titles = [a for a in arts if _dateish(a.title)]
    how = Counter((a.provenance.published_from if a.provenance else None) or "none" for a in arts)
    print(f"{name}: {len(arts)} articles; outlet empty or a number: {len(bad_outlet)}; "
          f"titled {sum(bool(a.title) for a in arts)}, a date as title: {len(date_titles)}; "
          f"published from: {dict(sorted(how.items()))}")
    for a in bad_outlet[:5]:
        print(f"    bad outlet {a.outlet!r}: {a.provenance.source if a.provenance else a.id}")
    for a in date_titles[:5]:
        print(f"    date as title {a.title!r}")


def newspaper4k(settings: Settings, show: bool) -> None:
    pages = sorted((N4K / "html").glob("*.html.gz"))
    title_ok = title_n = date_ok = date_n = date_missing = date_wrong = 0
    arts_all: list[Article] = []
    for page in pages:
        name = page.name.removesuffix(".html.gz")
        arts = _articles([page], settings)
        arts_all += arts
        meta_path = N4K / "metadata" / f"{name}.json"
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
        art = arts[0] if arts else None
        got_title = art.title if art else None
        got_date = art.published if art else None
        mark = ""
        if meta is not None:
            if meta.get("title"):
                title_n += 1
                ok = _norm(got_title) == _norm(meta["title"])
                title_ok += ok
                mark += "T" if ok else "t"
            want = (meta.get("publish_date") or "")[:10]
            if want:
                date_n += 1
                if got_date is None:
                    date_missing += 1
                    mark += "-"
                elif got_date[:10] == want:
                    date_ok += 1
                    mark += "D"
                else:
                    date_wrong += 1
                    mark += "d"
        if show:
            how = art.provenance.published_from if art and art.provenance else None
            print(f"  {name:28} {mark:3} outlet={art.outlet if art else None!r} "
                  f"title={(got_title or '')[:60]!r} published={got_date} ({how})"
                  + (f" want={meta.get('publish_date')}" if meta else ""))
    print(f"newspaper4k: titles equal to the expected one {title_ok}/{title_n}; dates right "
          f"{date_ok}/{date_n} (missing {date_missing}, wrong {date_wrong})")
    _summary("newspaper4k, all 30 pages", arts_all)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print each newspaper4k page's row")
    args = ap.parse_args(argv)
    settings = Settings.from_env(embed=False)
    newspaper4k(settings, args.show)
    _summary("seeds", _articles([SEEDS], settings))
    _summary("feeds-rss-parser", _articles(sorted(p for p in FEEDS.iterdir() if p.name != "README.md"), settings))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ecbplus.jsonl"
        with gzip.open(ECB, "rt", encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
            for line in src:
                obj = json.loads(line)
                dst.write(json.dumps({"url": obj.get("url"), "text": obj["text"]}) + "\n")
        _summary("ecbplus as JSONL (url, text)", _articles([path], settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
