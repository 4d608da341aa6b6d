"""`published` and where it came from (issue 23): the input's own field, the page's metadata,
a dateline, the feed entry, the WARC record, in that order of trust; undated stays undated.

Every page, feed and sentence here was written for these tests.
"""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storydesk.ingest import iter_inputs
from storydesk.ingest.dates import dateline_date, is_dateline, normalise_date
from storydesk.ingest.feeds import entry_document
from storydesk.pipeline import clean_one
from storydesk.records import Article, RawDocument
from storydesk.settings import Settings

BODY = [
    "The lights went out across the harbour district at six in the evening, the grid operator said.",
    "Engineers traced the fault to a flooded substation and restored power to most homes by midnight.",
]
TEXT = "\n".join(BODY)


def _stored(path: Path) -> list[Article]:
    arts = []
    for doc in iter_inputs([path], Settings()):
        assert isinstance(doc, RawDocument), doc
        art = clean_one(doc, Settings())
        assert isinstance(art, Article), art
        arts.append(art)
    return arts


def _when(art: Article) -> tuple[str | None, str | None]:
    return art.published, art.provenance.published_from if art.provenance else None


def test_jsonl_field_then_dateline_then_undated(tmp_path: Path) -> None:
    rows = [
        {"published": "2013-06-08T09:00:00Z", "text": "Friday, June 7, 2013\n\n" + TEXT},
        {"text": "Harbour goes dark\n\nFriday, June 7, 2013\n" + TEXT},
        {"text": "Harbour goes dark\n\nUpdated 4: 08 p. m. ET\n" + TEXT},  # a time, no date
        {"text": "Harbour goes dark\n\n" + TEXT},
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    arts = _stored(path)
    assert [_when(a) for a in arts] == [
        ("2013-06-08T09:00:00Z", "input"), ("2013-06-07", "dateline"), (None, None), (None, None)]
    today = datetime.now(UTC).date().isoformat()
    assert not any((a.published or "").startswith(today) for a in arts)


def _feed(tmp_path: Path, description: str) -> Path:
    path = tmp_path / "feed.xml"
    path.write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Harbour Post</title>"
        "<link>https://harbour.example/</link><item><title>Harbour goes dark</title>"
        "<link>https://harbour.example/dark</link><pubDate>Sun, 09 Jun 2013 10:00:00 GMT</pubDate>"
        f"<description><![CDATA[{description}]]></description></item></channel></rss>", encoding="utf-8")
    return path


def test_a_dateline_outranks_the_feed_entry(tmp_path: Path) -> None:
    [dated] = _stored(_feed(tmp_path, "<p>Published: June 7, 2013</p>" + "".join(f"<p>{p}</p>" for p in BODY)))
    assert _when(dated) == ("2013-06-07", "dateline")
    [plain] = _stored(_feed(tmp_path, "".join(f"<p>{p}</p>" for p in BODY)))
    assert _when(plain) == ("2013-06-09T10:00:00Z", "feed")


def test_page_metadata_outranks_the_feed_entry() -> None:
    page = ("<html><head><meta property='article:published_time' content='2013-06-06T08:00:00+00:00'>"
            "<title>Harbour goes dark</title></head><body><article><h1>Harbour goes dark</h1>"
            + "".join(f"<p>{p}</p>" for p in BODY * 2) + "</article></body></html>")
    # feedparser sanitises <head> out of entry content, so the entry is given as it parses one
    entry = {"title": "Harbour goes dark", "link": "https://harbour.example/dark",
             "published_parsed": time.strptime("2013-06-09 10:00", "%Y-%m-%d %H:%M"),
             "content": [{"value": page, "type": "text/html"}]}
    doc = entry_document(entry, {"title": "Harbour Post"}, 1, "feed.xml", "rss", Settings())
    assert isinstance(doc, RawDocument)
    art = clean_one(doc, Settings())
    assert isinstance(art, Article)
    assert art.published is not None and art.published.startswith("2013-06-06")
    assert _when(art)[1] == "page-metadata"


def _warc(path: Path, html: str) -> Path:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://harbour.example/dark", "response", payload=io.BytesIO(html.encode()), http_headers=http,
            warc_headers_dict={"WARC-Date": "2013-06-10T06:30:00Z"}))
    return path


def test_the_warc_record_is_the_last_resort(tmp_path: Path) -> None:
    undated = ("<html><head><title>Harbour goes dark</title></head><body><article><h1>Harbour goes dark</h1>"
               + "".join(f"<p>{p}</p>" for p in BODY * 2) + "</article></body></html>")
    [art] = _stored(_warc(tmp_path / "crawl.warc", undated))
    assert _when(art) == ("2013-06-10T06:30:00Z", "warc-record")
    dated = undated.replace("<head>", "<head><meta property='article:published_time' content='2013-06-06'>")
    [art] = _stored(_warc(tmp_path / "crawl2.warc", dated))
    assert _when(art) == ("2013-06-06", "page-metadata")


def test_a_copyright_year_is_no_publication_date(tmp_path: Path) -> None:
    # htmldate reports a year it finds alone as 1 January of it; that day is made up
    page = ("<html><head><title>Harbour goes dark</title></head><body><article><h1>Harbour goes dark</h1>"
            + "".join(f"<p>{p}</p>" for p in BODY * 2) + "</article><footer>© 2013 Harbour Post</footer>"
            "</body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    [art] = _stored(path)
    assert _when(art) == (None, None)


def test_a_text_file_without_a_date_stays_undated(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Harbour goes dark\n\n" + TEXT, encoding="utf-8")
    assert [_when(a) for a in _stored(path)] == [(None, None)]


@pytest.mark.parametrize(
    ("line", "when"),
    [
        ("Friday, June 7, 2013", "2013-06-07"),
        ("9/10/2010 @ 1:19PM", "2010-09-10T13:19:00"),
        ("First Published: June 13, 2013 4: 59 PM EDT", "2013-06-13T16:59:00"),
        ("11 / 28 / 05", "2005-11-28"),
        ("12: 52 p. m. EDT May 2, 2013", "2013-05-02T12:52:00"),
        ("Posted: 04 / 9 / 2012 8: 33 am Updated: 04 / 10 / 2012 8: 33 am", "2012-04-09T08:33:00"),
        ("Novemer 27, 2005", "2005-11-27"),
        ("Veröffentlicht am 3. Mai 2013", "2013-05-03"),
        ("WASHINGTON, DC, April 28, 2009", "2009-04-28"),  # a place before the date
        ("Harbourton D. C., Jul 13, 2009 / 02: 00 pm (HPA)", "2009-07-13T14:00:00"),
        ("7: 00pm UK, Wednesday 05 May 2010", "2010-05-05T19:00:00"),
        ("Story Created: Aug 7, 2012 at 9: 56 AM AKDT", "2012-08-07T09:56:00"),
        ("First Posted: 10 / 25 / 11 06: 44 PM ET Updated: 12 / 25 / 11 05: 12 AM ET", "2011-10-25T18:44:00"),
        ("Updated 4: 08 p. m. ET", None),  # a dateline with no date in it
        ("HARBOURTON - April 27 -", None),  # no year: no date
        ("May 2013", None),  # no day written: none made up
    ],
)
def test_dateline_date(line: str, when: str | None) -> None:
    assert is_dateline(line)
    assert dateline_date(line) == when


@pytest.mark.parametrize("line", ["5 killed in June 7 blast", "Apollo 11, 1969 mission", "Windows 11", "Power cut",
                                  "Marching 2013", "Obama Signs Bill May 5", "Apple Unveils IPhone 5 On Sept 12",
                                  "Available June 22, 2017", "Harbour Radio 07/19/2016"])
def test_not_datelines(line: str) -> None:
    assert not is_dateline(line)


def test_afternoon_times_keep_their_pm() -> None:
    # email.utils used to read this and drop the PM
    assert normalise_date("June 13, 2013 4:59 PM") == "2013-06-13T16:59:00"
    assert normalise_date("Thu, 18 Jan 2024 10:00:00 GMT") == "2024-01-18T10:00:00Z"
