"""Charset guessing accuracy on real article text re-encoded in legacy code pages.

    .venv/bin/python bench/ingest_charset.py [-v]

Text: the "with" (article text) segments of ../shared/data/trafilatura-eval/evaldata.json that
hold non-ASCII characters. Each is encoded in the first legacy code page of ENCODINGS that can
represent it, then decoded with no declaration; an exact round trip counts as correct. "long" joins
three consecutive segments of one encoding. Compared: charset-normalizer unrestricted, and
`decode_bytes` at several values of CP1252_HIGH_SHARE (the shipped value is marked).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from charset_normalizer import from_bytes

from storydesk.errors import Unreadable
from storydesk.ingest import decode

DATA = Path("../shared/data/trafilatura-eval/evaldata.json")
ENCODINGS = ["cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1256", "cp1255", "shift_jis", "gb18030", "euc_kr"]
Case = tuple[str, str, bytes]


def cases() -> tuple[list[Case], list[Case]]:
    """(single segments, joined triples) as (text, encoding, bytes)."""
    segs = [s for e in json.loads(DATA.read_text(encoding="utf-8")).values() for s in e.get("with", [])]
    short: list[Case] = []
    for s in (s for s in segs if not s.isascii()):
        for enc in ENCODINGS:
            try:
                short.append((s, enc, s.encode(enc)))
                break
            except UnicodeEncodeError:
                continue
    joined: list[Case] = []
    for i in range(0, len(short) - 2, 3):
        a, b, c = short[i : i + 3]
        if a[1] == b[1] == c[1]:
            text = " ".join([a[0], b[0], c[0]])
            joined.append((text, a[1], text.encode(a[1])))
    return short, joined


def accuracy(fn: Callable[[bytes], str | None], cs: list[Case]) -> tuple[float, dict[str, str]]:
    ok, by, total = 0, Counter[str](), Counter[str]()
    for text, enc, data in cs:
        total[enc] += 1
        try:
            good = fn(data) == text
        except Unreadable:
            good = False
        ok += good
        by[enc] += good
    return ok / max(len(cs), 1), {e: f"{by[e]}/{total[e]}" for e in total}


def charset_normalizer_plain(data: bytes) -> str | None:
    best = from_bytes(data).best()
    return data.decode(best.encoding) if best else None


def main() -> None:
    short, joined = cases()
    median = sorted(len(c[0]) for c in short)[len(short) // 2]
    print(f"{len(short)} segments (median {median} chars), {len(joined)} joined triples; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'method':42} {'short':>6} {'long':>6} {'sec':>5}  per encoding (short)")
    start = time.perf_counter()
    a1, per = accuracy(charset_normalizer_plain, short)
    a2, _ = accuracy(charset_normalizer_plain, joined)
    print(f"{'charset-normalizer (unrestricted)':42} {a1:6.3f} {a2:6.3f} {time.perf_counter() - start:5.1f}  {per}")
    shipped = decode.CP1252_HIGH_SHARE
    for share in (0.0, 0.03, 0.10, 0.20):
        decode.CP1252_HIGH_SHARE = share
        start = time.perf_counter()
        a1, per = accuracy(decode.decode_bytes, short)
        a2, _ = accuracy(decode.decode_bytes, joined)
        mark = " (shipped)" if share == shipped else ""
        name = f"decode_bytes CP1252_HIGH_SHARE={share}{mark}"
        print(f"{name:42} {a1:6.3f} {a2:6.3f} {time.perf_counter() - start:5.1f}  {per}")
    decode.CP1252_HIGH_SHARE = shipped
    if "-v" in sys.argv:
        for text, enc, data in short:
            got = decode.decode_bytes(data)
            if got != text:
                print(f"{enc}: {text[:60]!r} -> {got[:60]!r}")


if __name__ == "__main__":
    main()
