"""Structured but hostile inputs: well-formed containers holding hostile values, then damaged.

Random bytes rarely get past a reader's first check; these strategies build real JSON Lines,
WARC archives, RSS/Atom feeds, HTML pages, texts in legacy encodings and date strings, fill them
with hostile values (markup, entities, NULs, control characters, huge numbers, wrong types, lone
surrogates' replacements, right-to-left marks), and then often cut or corrupt them. Every input
must give RawDocuments or clear Skips (checked by `storydesk.ingest.fuzz`), in bounded time.
"""

from __future__ import annotations

import gzip
import io
import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from storydesk.ingest import fuzz
from storydesk.records import RawDocument

FAST = settings(max_examples=30, deadline=3000, suppress_health_check=[HealthCheck.too_slow])

HOSTILE_TEXT = st.sampled_from([
    "<script>alert(1)</script>", "&lt;b&gt;", "&amp;amp;", "]]>", "<![CDATA[x]]>", "\x00", "\x1b[31m",
    "\u202e", "\ufeff", "\r\n", "&#0;", "&#xD800;", "&bogus;", "<!--", "-->", "\\u0000", "日本語", "ąęł",
    "[x](javascript:alert(1))", "# heading", "%s%n", "' OR 1=1 --", "\u0085", "\u2028",
])
words = st.lists(st.one_of(st.text(max_size=30), HOSTILE_TEXT), max_size=12).map(" ".join)


def corrupt(data: bytes, how: int, at: float) -> bytes:
    """Leave `data` whole, cut it, flip a byte, or insert junk, at relative position `at`."""
    i = int(len(data) * at)
    if how == 1:
        return data[:i]
    if how == 2 and data:
        i = min(i, len(data) - 1)
        return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :]
    if how == 3:
        return data[:i] + b"\x00\xff<\n{" + data[i:]
    return data


damage = st.tuples(st.integers(0, 3), st.floats(0, 1))

# ------------------------------------------------------------------------------------ JSON Lines

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
                        words, st.sampled_from(["2024-01-18T09:30:00+05:00", "Thu, 18 Jan 2024", "0000-00-00",
                                                "9999-99-99T99:99:99Z", "1e400", "-1"]))
json_value = st.recursive(json_scalar, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
KEYS = ["url", "link", "outlet", "source", "title", "headline", "published", "date", "text", "body", "html",
        "content", "author", "authors", "language", "lang", "fetched"]
record = st.dictionaries(st.sampled_from(KEYS), json_value | words, max_size=8)


@given(st.lists(record | json_value, max_size=6), st.booleans(), damage)
@FAST
def test_jsonl_records(objs: list[object], as_array: bool, how: tuple[int, float]) -> None:
    data = (json.dumps(objs, indent=1) if as_array else "\n".join(json.dumps(o) for o in objs)).encode()
    fuzz.fuzz_jsonl(corrupt(data, *how))
    fuzz.fuzz_input(corrupt(gzip.compress(data), *how), "a.jsonl.gz")


def test_jsonl_nesting_and_nul() -> None:
    deep = b'{"text": "x", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    items = fuzz.fuzz_jsonl(deep + b'{"text": "a\\u0000b c"}\n')
    assert items[0].reason == "bad-json"
    assert isinstance(items[1], RawDocument) and items[1].text == "ab c"

# ------------------------------------------------------------------------------------ WARC


def _warc(records: list[tuple[str, str, str, bytes]], gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for kind, status, ctype, body in records:
        http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1") if kind == "response" else None
        writer.write_record(writer.create_warc_record("https://example.com/a", kind, payload=io.BytesIO(body),
                                                      http_headers=http,
                                                      warc_content_type=ctype if kind == "resource" else None))
    return buf.getvalue()


warc_record = st.tuples(
    st.sampled_from(["response", "response", "resource", "metadata"]),
    st.sampled_from(["200 OK", "404 Not Found", "301 Moved", "999 What", "200 "]),
    st.sampled_from(["text/html; charset=utf-8", "text/html; charset=bogus", "text/plain", "image/png",
                     "application/xhtml+xml; charset=utf-16", "text/html;;charset=", ""]),
    st.one_of(words.map(lambda w: f"<html><body><p>{w}</p></body></html>".encode("utf-8", "surrogatepass")),
              st.binary(max_size=300)),
)


@given(st.lists(warc_record, min_size=1, max_size=3), st.booleans(), damage)
@settings(max_examples=25, deadline=4000, suppress_health_check=[HealthCheck.too_slow])
def test_warc_archives(records: list[tuple[str, str, str, bytes]], gz: bool, how: tuple[int, float]) -> None:
    try:
        data = _warc(records, gz)
    except Exception:  # warcio refused to write this record; not our reader's business
        assume(False)
    fuzz.fuzz_input(corrupt(data, *how), "a.warc.gz" if gz else "a.warc")

# ------------------------------------------------------------------------------------ feeds

feed_field = st.one_of(words, words.map(lambda w: f"<![CDATA[<p>{w}</p>]]>"),
                       words.map(lambda w: w.replace("&", "&amp;").replace("<", "&lt;")))
DATES = st.sampled_from(["Thu, 18 Jan 2024 10:00:00 GMT", "2024-01-18T09:30:00+05:00", "yesterday", "",
                         "Mon, 99 Foo 2024 99:99:99 +9999", "0", "2024-13-45"])


@given(st.booleans(), feed_field, st.lists(st.tuples(feed_field, feed_field, DATES), max_size=3), damage)
@FAST
def test_feeds(atom: bool, title: str, entries: list[tuple[str, str, str]], how: tuple[int, float]) -> None:
    def esc(s: str) -> str:
        return s if s.startswith("<![CDATA[") else s.replace("&", "&amp;").replace("<", "&lt;")

    if atom:
        items = "".join(f"<entry><title>{esc(t)}</title><updated>{d}</updated><content type='html'>{esc(b)}"
                        "</content><link href='/x'/></entry>" for t, b, d in entries)
        doc = f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>{esc(title)}</title>{items}</feed>"
    else:
        items = "".join(f"<item><title>{esc(t)}</title><pubDate>{d}</pubDate><description>{esc(b)}</description>"
                        "</item>" for t, b, d in entries)
        doc = f"<?xml version='1.0'?><rss version='2.0'><channel><title>{esc(title)}</title>{items}</channel></rss>"
    data = doc.encode("utf-8", "surrogatepass")
    fuzz.fuzz_feed(corrupt(data, *how))

# ------------------------------------------------------------------------------------ HTML

TAGS = ["div", "p", "span", "article", "table", "td", "script", "style", "a", "h1", "li", "br", "img", "svg",
        "noscript", "template", "title", "meta"]


def _tree(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(words.map(lambda w: w.replace("<", "&lt;")), HOSTILE_TEXT)
    return st.recursive(
        leaf,
        lambda inner: st.builds(
            lambda tag, attrs, kids, close: f"<{tag}{attrs}>{''.join(kids)}" + (f"</{tag}>" if close else ""),
            st.sampled_from(TAGS), st.sampled_from(["", " lang='xx'", ' onclick="alert(1)"', " class='\x00'",
                                                    " charset=bogus", " href='javascript:x'"]),
            st.lists(inner, max_size=4), st.booleans()),
        max_leaves=depth,
    )


@given(_tree(25), st.sampled_from(["", "<meta charset='shift_jis'>", "<meta charset='utf-16'>", "<?xml?>"]),
       st.sampled_from(["utf-8", "cp1252", "utf-16", "shift_jis"]), damage)
@settings(max_examples=20, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
def test_html_pages(body: str, head: str, codec: str, how: tuple[int, float]) -> None:
    page = f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"
    fuzz.fuzz_html(corrupt(page.encode(codec, "replace"), *how))

# ------------------------------------------------------------------------------------ text, charsets, dates

CODECS = ["utf-8", "cp1252", "cp1250", "cp1251", "shift_jis", "gb18030", "utf-16", "utf-16-le", "utf-32", "koi8_r"]


@given(words, st.sampled_from(CODECS), damage)
@FAST
def test_texts_in_any_encoding(text: str, codec: str, how: tuple[int, float]) -> None:
    data = corrupt(text.encode(codec, "replace"), *how)
    fuzz.fuzz_text(data)
    fuzz.fuzz_decode(data)
    fuzz.fuzz_input(data, "a.txt")


clean_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=300).filter(
    lambda s: "<" not in s and not s.startswith("\ufeff"))


@given(clean_text)
@FAST
def test_utf8_text_decodes_as_itself(text: str) -> None:
    assert fuzz.fuzz_decode(text.encode("utf-8")) == text


ALPHABETS = {"cp1252": "éèàüßñç’“”–€ ", "cp1251": "приветмирЖЩЫ ", "koi8_r": "приветмирЖЩЫ ",
             "shift_jis": "日本語のテスト東京 "}
in_codec = st.sampled_from(sorted(ALPHABETS)).flatmap(
    lambda c: st.tuples(st.just(c), st.text(ALPHABETS[c] + "abc XYZ.,!?019", min_size=1, max_size=200)))


@given(in_codec)
@FAST
def test_declared_charset_is_trusted(case: tuple[str, str]) -> None:
    codec, text = case
    data = text.encode(codec)
    # A cp1252 label on bytes that happen to be valid UTF-8 is read as UTF-8 (servers mislabel).
    assume(codec != "cp1252" or fuzz.fuzz_decode(data, "utf-8") != data.decode("utf-8", "replace"))
    assert fuzz.fuzz_decode(data, codec) == text


date_text = st.builds(
    lambda d, m, y, rest: f"{d} {m} {y}{rest}",
    st.integers(-5, 40), st.sampled_from(["Jan", "January", "janvier", "Set", "13", "Foo", "Jän"]),
    st.integers(-1, 99999), st.sampled_from(["", " 10:00", " 25:61:61 GMT", " +9999", " PKT", "T", "Z"]))


@given(st.one_of(date_text, st.text(max_size=60)), st.sampled_from([None, "en", "fr", "de", "xx"]))
@FAST
def test_dates_any_shape(value: str, language: str | None) -> None:
    fuzz.fuzz_date(value.encode("utf-8", "surrogatepass"), language)

# ------------------------------------------------------------------------------------ numbers (cross-check)


@given(st.one_of(words, st.builds(lambda n, u: f"at least {n} {u} killed", st.text("0123456789.,-e ", max_size=40),
                                  st.sampled_from(["people", "million", "%", "km", "dozen", ""]))))
@settings(max_examples=60, deadline=3000)
def test_number_and_date_expressions_never_raise(text: str) -> None:
    from storydesk.crosscheck.dates import find_dates, resolve
    from storydesk.crosscheck.numbers import extract_quantities

    assert isinstance(extract_quantities(text), tuple)
    for _start, _end, expr in find_dates(text):
        resolve(expr, None)
