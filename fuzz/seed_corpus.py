"""Build seed corpora for the atheris targets from ../shared (read in place, written to OUT).

    .venv/bin/python fuzz/seed_corpus.py /tmp/storydesk-corpus
    .venv/bin/python fuzz/fuzz_warc.py -atheris_runs=20000 -timeout=10 /tmp/storydesk-corpus/warc

One folder per target: the seed articles written as text, JSONL, WARC (plain and gzip), RSS and
Atom; the feedparser and rss-parser feed fixtures; warcio's sample archives; a sample of real
HTML pages; date strings in many shapes. Real inputs give the fuzzer structure to mutate, which
random bytes alone rarely reach (a WARC header, a feed's channel).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data"
MAX_SEED = 200_000  # bytes; bigger seeds slow every mutation


def _put(out: Path, target: str, data: bytes) -> None:
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    if len(data) <= MAX_SEED:
        (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def _seed_texts() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((SHARED / "corpus" / "seeds").glob("*.txt"))]


def _warc(pages: list[tuple[str, bytes]], gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for url, body in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
    return buf.getvalue()


def _html(title: str, text: str) -> bytes:
    body = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    head = f"<!DOCTYPE html><html lang='en'><head><title>{title}</title></head>"
    return f"{head}<body><article>{body}</article></body></html>".encode()


def build(out: Path) -> dict[str, int]:
    """Write every target's seeds under `out`; return how many each got."""
    seeds = _seed_texts()
    pages = [(f"https://example.com/{name}", _html(name, text)) for name, text in seeds]
    for _name, text in seeds:
        data = text.encode("utf-8")
        for target in ("text", "decode", "sniff", "input"):
            _put(out, target, data)
        _put(out, "decode", text.encode("cp1252", "replace"))
        _put(out, "decode", text.encode("utf-16"))
    jsonl = "\n".join(json.dumps({"url": u, "title": n, "published": "2024-01-18T08:00:00+05:00", "text": t})
                      for (n, t), (u, _) in zip(seeds, pages, strict=True)).encode()
    for target in ("jsonl", "input"):
        _put(out, target, jsonl)
    _put(out, "input", gzip.compress(jsonl))
    for gz in (False, True):
        _put(out, "warc", _warc(pages, gz))
        _put(out, "input", _warc(pages[:2], gz))
    for p in sorted((DATA / "warc-warcio").iterdir()):
        if p.is_file() and p.suffix in (".warc", ".arc", ".gz", ".bad"):
            _put(out, "warc", p.read_bytes())
    feeds = sorted((DATA / "feeds-feedparser-tests").rglob("*.xml"))[::8]
    feeds += sorted((DATA / "feeds-rss-parser").iterdir())
    for p in feeds:
        if p.is_file() and p.suffix in (".xml", ".rss", ".atom"):
            _put(out, "feed", p.read_bytes())
    for p in sorted((DATA / "trafilatura-eval" / "html").glob("*.gz"))[:40]:
        data = gzip.decompress(p.read_bytes())
        _put(out, "html", data)
        _put(out, "decode", data[:20_000])
        _put(out, "sniff", data[:4_000])
    for _, page in pages:
        _put(out, "html", page)
    for d in ("2024-01-18", "2024-01-18T09:30:00+05:00", "Thu, 18 Jan 2024 10:00:00 GMT", "18 January 2024",
              "January 18, 2024 10:30 am", "Seg, 24 Set 2018 19:42:40 -0300", "1705570200", "18/01/2024 14:05"):
        _put(out, "dates", b"\x01" + d.encode())
    return {p.name: sum(1 for _ in p.iterdir()) for p in sorted(out.iterdir())}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: seed_corpus.py OUT_DIR")
    for target, n in build(Path(sys.argv[1])).items():
        print(f"{target:8} {n:5d} seeds")
