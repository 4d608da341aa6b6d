"""The web app over a real store: pages, JSON API, one error shape, escaping, guards."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient
from storydesk_test_builders import EVIL_TITLE

from storydesk.report import load_schema
from storydesk.store.sqlite import open_store
from storydesk.web import create_app


@pytest.fixture()
def client(filled_data: Path):
    with TestClient(create_app(filled_data)) as c:
        yield c


@pytest.fixture()
def ids(filled_data: Path):
    with open_store(filled_data, readonly=True) as store:
        stories = {s["title"]: s["id"] for s in store.list_stories()}
        arts = store.list_articles()
    return stories, arts


def _seed_story_id(ids) -> str:
    stories, _ = ids
    return next(sid for title, sid in stories.items() if title != EVIL_TITLE)


def test_index_lists_the_biggest_live_story_first_with_counts(client, ids, seed_set):
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    text = unescape(r.text)
    story, arts = seed_set
    assert story.title in text
    assert f"{story.article_count} articles · {story.outlet_count} outlets" in text
    # the hostile story is 7 hours newer but has 2 sources against 5: the seed story leads
    assert text.index(story.title) < text.index(EVIL_TITLE)
    # its card names its outlets and its time span
    assert ", ".join(sorted({a.outlet for a in arts if a.outlet})) in text
    assert "18 Jan 2024 – 19 Jan 2024" in text


def test_index_search_and_filters(client, seed_set):
    story, arts = seed_set
    word = "Saravan" if "Saravan" in " ".join(a.text for a in arts) else story.keywords[0]
    r = client.get("/", params={"q": word})
    assert story.title in unescape(r.text)
    r = client.get("/", params={"q": "zzzqqqnotaword"})
    assert "No stories match." in r.text
    r = client.get("/", params={"outlet": arts[3].outlet})
    assert story.title in unescape(r.text) and EVIL_TITLE not in unescape(r.text)
    r = client.get("/", params={"since": "2030-01-01"})
    assert "No stories match." in r.text
    r = client.get("/", params={"q": "", "outlet": "", "since": "", "until": ""})  # the empty form
    assert story.title in unescape(r.text)
    r = client.get("/", params={"since": "last week"})
    assert r.status_code == 400 and "since must be a date" in r.text


def test_story_page_has_every_part(client, ids, seed_set):
    story, arts = seed_set
    r = client.get(f"/stories/{_seed_story_id(ids)}")
    assert r.status_code == 200
    text = unescape(r.text)
    for heading in ("Brief", "Where the outlets disagree", "Quotes by speaker", "Entities", "Timeline",
                    "Side by side", "What only one outlet reports"):
        assert f"<h2>{heading}</h2>" in text
    first = story.brief[0]
    assert f'<q class="cite-sentence">{first.passages[0].text}</q>' in text
    assert '<mark class="hl-shared" data-claim="c-shared"' in text
    assert story.discrepancies[0].values[0].text in text
    assert f'href="/articles/{arts[0].id}"' in text


def test_story_by_id_prefix(client, ids):
    sid = _seed_story_id(ids)
    assert client.get(f"/stories/{sid[:6]}").status_code == 200


def test_article_page_shows_text_and_removed_with_reasons(client, seed_set):
    _, arts = seed_set
    r = client.get(f"/articles/{arts[1].id}")
    assert r.status_code == 200
    text = unescape(r.text)
    assert arts[1].text[:200] in re.sub(r"<[^>]+>", "", text)
    assert '<span class="reason">donation-appeal</span>' in text
    assert "Subscribe to our newsletter" in text


def test_api_stories_list_and_filters(client, seed_set):
    story, arts = seed_set
    r = client.get("/api/stories")
    assert r.status_code == 200
    rows = r.json()
    assert [row["title"] for row in rows] == [story.title, EVIL_TITLE]  # 5 sources before 2
    assert rows[0] == {**story.summary(), "outlets": sorted({a.outlet for a in arts}),
                       "conflicts": len(story.discrepancies)}
    assert [row["id"] for row in client.get("/api/stories", params={"outlet": arts[2].outlet}).json()] == [
        story.id]
    assert client.get("/api/stories", params={"until": "2000-01-01"}).json() == []
    assert len(client.get("/api/stories", params={"limit": 1}).json()) == 1


def test_api_stories_pages_with_limit_and_offset(client, seed_set):
    story, _ = seed_set
    whole = client.get("/api/stories")
    assert whole.headers["x-total-count"] == "2" and "link" not in whole.headers
    first = client.get("/api/stories", params={"limit": 1})
    assert [r["title"] for r in first.json()] == [story.title]
    assert first.headers["x-total-count"] == "2"
    assert first.headers["link"].endswith('offset=1>; rel="next"')
    second = client.get("/api/stories", params={"limit": 1, "offset": 1})
    assert [r["title"] for r in second.json()] == [EVIL_TITLE]
    assert 'rel="next"' not in second.headers["link"] and second.headers["link"].endswith('offset=0>; rel="prev"')
    assert client.get("/api/stories", params={"offset": 2}).json() == []
    assert client.get("/api/stories", params={"offset": -1}).status_code == 400


def test_article_page_anchors_sentences_and_links_its_story(client, seed_set, evil_set):
    story, _ = seed_set
    # an article only the seed story holds (the hostile story reuses the first seed article)
    passage = next(p for b in story.brief for p in b.passages if p.article not in {a.id for a in evil_set[1]})
    page = client.get(f"/articles/{passage.article}").text
    # a citation's passage starts a sentence: its anchor holds exactly that sentence
    m = re.search(rf'<span class="sent" id="s-{passage.start}">([^<]*)</span>', page)
    assert m and unescape(m.group(1)) == passage.text
    assert f'href="/stories/{story.id}">Story: ' in page


def test_api_story_is_the_stories_json_shape(client, seed_set):
    story, _ = seed_set
    r = client.get(f"/api/stories/{story.id}")
    assert r.status_code == 200
    assert r.json() == story.to_dict()
    schema = load_schema()
    doc = {"schema_version": "1.0", "stories": [r.json()]}
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_api_article_is_the_show_shape(client, seed_set):
    _, arts = seed_set
    r = client.get(f"/api/articles/{arts[0].id}")
    assert r.status_code == 200
    assert r.json() == arts[0].show()
    for key in ("id", "outlet", "title", "url", "published", "language", "text", "removed"):
        assert key in r.json()
    listed = client.get("/api/articles", params={"outlet": arts[0].outlet}).json()
    assert [row["id"] for row in listed] == [arts[0].id]


def test_openapi_and_offline_docs(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/stories", "/api/stories/{story_id}", "/api/articles/{article_id}"):
        assert path in spec["paths"]
    assert "ErrorBody" in spec["components"]["schemas"]
    ok = spec["paths"]["/api/stories/{story_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/Story_story"}
    # every $ref in the document resolves
    refs = set(re.findall(r'"\$ref": ?"#/components/schemas/([^"]+)"', json.dumps(spec)))
    assert refs and refs <= set(spec["components"]["schemas"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/stories/{story_id}" in docs.text
    assert "cdn" not in docs.text.lower() and "https://" not in docs.text
    assert client.get("/redoc").status_code == 404
    assert client.get("/api/schema/stories.json").json() == load_schema()


ERRORS = [
    ("GET", "/api/stories/doesnotexist", 404, "list them with `storydesk stories`"),
    ("GET", "/api/articles/doesnotexist", 404, "no article"),
    ("GET", "/api/nothing-here", 404, "no page"),
    ("GET", "/api/stories?since=18-01-2024", 400, "since must be a date"),
    ("GET", "/api/stories?until=2024-02-30", 400, "not a real date"),
    ("GET", "/api/stories?limit=0", 400, "limit"),
    ("GET", "/api/stories?limit=abc", 400, "limit"),
    ("POST", "/api/stories", 405, "not allowed"),
    ("DELETE", "/api/articles/x", 405, "not allowed"),
]


@pytest.mark.parametrize(("method", "url", "status", "message"), ERRORS)
def test_every_api_error_has_one_shape(client, method, url, status, message):
    r = client.request(method, url)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"ok", "error", "status"}
    assert body["ok"] is False and body["status"] == status
    assert message in body["error"]


def test_ambiguous_prefix_is_a_400(filled_data: Path, seed_set):
    # Find a one-character prefix shared by two stored ids (articles: 7 of them).
    with open_store(filled_data, readonly=True) as store:
        ids = [a["id"] for a in store.list_articles()]
    firsts = [i[0] for i in ids]
    shared = next((c for c in firsts if firsts.count(c) > 1), None)
    if shared is None:
        pytest.skip("no two article ids share a first character in this data")
    with TestClient(create_app(filled_data)) as c:
        r = c.get(f"/api/articles/{shared}")
    assert r.status_code == 400 and r.json()["error"].endswith("give more of the id")


def test_no_store_yet_is_a_503_with_the_fix(tmp_path: Path):
    with TestClient(create_app(tmp_path / "empty")) as c:
        r = c.get("/api/stories")
        assert r.status_code == 503
        assert r.json()["ok"] is False and "storydesk run" in r.json()["error"]
        page = c.get("/")
        assert page.status_code == 503 and "storydesk run" in unescape(page.text)


@pytest.mark.parametrize("path", ["/stories/doesnotexist", "/articles/doesnotexist", "/no/such/page"])
def test_pages_404_as_html(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert '<p class="error">' in r.text


def test_story_404_page_names_the_list_command(client):
    r = client.get("/stories/doesnotexist")
    assert r.status_code == 404 and "storydesk stories" in unescape(r.text) and "storys" not in r.text


def test_request_body_limit(client):
    r = client.post("/api/stories", content=b"x" * (65 * 1024))
    assert r.status_code == 413
    assert r.json() == {"ok": False, "error": "request body over the 65536-byte limit", "status": 413}
    r = client.post("/api/stories", content=b"x" * 10)
    assert r.status_code == 405


@pytest.mark.parametrize(
    "path",
    ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py", "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
     "/static//etc/passwd", "/static/....//app.py"],
)
def test_no_path_traversal_via_static(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "create_app" not in r.text and "[project]" not in r.text and "root:" not in r.text


def test_static_assets_served(client):
    r = client.get("/static/storydesk.css")
    assert r.status_code == 200 and ".cite-src" in r.text


def test_security_headers(client):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/stories/nope").headers["x-content-type-options"] == "nosniff"


def test_article_content_is_escaped_on_every_page(client, ids, evil_set):
    story, arts = evil_set
    evil = arts[0]
    pages = [client.get("/"), client.get(f"/stories/{story.id}"), client.get(f"/articles/{evil.id}"),
             client.get("/", params={"q": "Officials"})]
    for r in pages:
        assert r.status_code == 200
        body = r.text
        assert "<script>alert" not in body and "<script>window" not in body and "<script>r<" not in body
        assert "<img src=x" not in body
        assert '" onmouseover="alert' not in body
        assert "<i>Evil</i>" not in body
        assert 'href="javascript:' not in body
        assert "&lt;script&gt;" in body
    story_page = pages[1].text
    assert "&lt;img src=x onerror=&#34;window.__pwned=2&#34;&gt;" in story_page
    # the JSON API returns the text as data, unchanged
    assert client.get(f"/api/articles/{evil.id}").json()["title"] == EVIL_TITLE


def test_search_query_is_escaped(client):
    r = client.get("/", params={"q": '"><script>alert(9)</script>'})
    assert r.status_code == 200
    assert "<script>alert(9)" not in r.text


def test_reads_while_another_process_writes(filled_data: Path, seed_set, evil_set):
    """A writer connection holding an open transaction does not block the app's readers (WAL)."""
    story, _ = seed_set
    writer = open_store(filled_data)
    try:
        writer.conn.execute("BEGIN IMMEDIATE")
        writer.conn.execute("UPDATE stories SET title = 'changed' WHERE id = ?", (story.id,))
        with TestClient(create_app(filled_data)) as c:
            r = c.get(f"/api/stories/{story.id}")
            assert r.status_code == 200 and r.json()["title"] == story.title
        writer.conn.execute("COMMIT")
    finally:
        writer.close()
    # after the writer commits and closes (WAL checkpointed, -wal/-shm gone), readers still work
    with TestClient(create_app(filled_data)) as c:
        assert c.get("/api/stories").status_code == 200
        assert json.loads(c.get("/api/stories").text)


@pytest.mark.slow
def test_api_serves_what_the_pipeline_wrote(seeds_run):
    data, out = seeds_run
    doc = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    with TestClient(create_app(data)) as c:
        listed = c.get("/api/stories").json()
        assert {r["id"] for r in listed} >= {s["id"] for s in doc["stories"]}
        for s in doc["stories"]:
            assert c.get(f"/api/stories/{s['id']}").json() == s
            page = c.get(f"/stories/{s['id']}")
            assert page.status_code == 200 and s["title"] in unescape(page.text)
            for a in s["articles"]:
                shown = c.get(f"/api/articles/{a['id']}").json()
                assert shown["id"] == a["id"] and set(shown) >= {"text", "removed", "outlet"}
                assert c.get(f"/articles/{a['id']}").status_code == 200


def test_list_pages_keep_their_filters(tmp_path: Path):
    from storydesk_test_builders import fill_store

    from storydesk.records import Story, StoryArticle

    stories = [Story(id=f"s-{i:03d}", title=f"Bridge story {i}",
                     articles=(StoryArticle(f"a{i}", "Daily", "T", None, None),), article_count=1,
                     last_seen=f"2024-01-{1 + i % 28:02d}T10:00:00+00:00" if i % 4 else None)
               for i in range(120)]
    data = fill_store(tmp_path / "data", stories, [])
    with TestClient(create_app(data)) as c:
        first = c.get("/", params={"q": "bridge"}).text
        assert "1–50 of 120 stories" in first and "Page 1 of 3" in first
        assert 'href="/?q=bridge&amp;page=2" rel="next"' in first and 'rel="prev"' not in first
        third = c.get("/", params={"q": "bridge", "page": 3}).text
        assert "101–120 of 120 stories" in third and 'href="/?q=bridge&amp;page=2" rel="prev"' in third
        assert third.count('class="card"') == 20 and 'rel="next"' not in third
        dated = c.get("/", params={"since": "2024-01-01"}).text
        assert "1–50 of 90 stories matching (of 120)" in dated and "left out by a date filter" in dated
        past = c.get("/", params={"page": 9})
        assert past.status_code == 200 and "past the last page (3)" in past.text and 'class="card"' not in past.text
        assert c.get("/", params={"page": 0}).status_code == 400


@pytest.mark.parametrize(("first", "last", "shown"), [
    ("2024-01-18T09:05:00+00:00", "2024-01-18T14:30:00+00:00", "18 Jan 2024, 09:05–14:30"),
    ("2024-01-16T09:05:00+00:00", "2024-01-18T14:30:00+00:00", "16 Jan 2024 – 18 Jan 2024"),
    ("2024-01-18", "2024-01-18T14:30:00+00:00", "18 Jan 2024"),
    ("2024-01-18T14:30:00+00:00", "2024-01-18T14:30:00+00:00", "18 Jan 2024, 14:30"),
    (None, "2024-01-18", "18 Jan 2024"),
    (None, None, "undated"),
    ("yesterday-ish", None, "undated"),
])
def test_card_time_span(first, last, shown):
    from storydesk.web.pages import time_span

    assert time_span(first, last) == shown


@pytest.mark.slow
def test_story_page_shows_the_fact_table_with_a_conflict(seeds_run):
    data, out = seeds_run
    doc = json.loads((out / "stories.json").read_text(encoding="utf-8"))
    story = next(s for s in doc["stories"] if any(f["status"] == "conflict" for f in s["facts"]))
    with TestClient(create_app(data)) as c:
        page = unescape(c.get(f"/stories/{story['id']}").text)
    table = page[page.index("<h2>Fact table</h2>"):page.index("<h2>Where the outlets disagree</h2>")]
    assert page.index("<h2>Brief</h2>") < page.index("<h2>Fact table</h2>")
    assert '<div class="table-scroll">' in table  # it scrolls in its own box, not the page
    assert re.findall(r'<tr class="fact st-(\w+)">', table)[0] == "conflict"
    conflict = next(f for f in story["facts"] if f["status"] == "conflict")
    row = table.split('<tr class="fact st-conflict">')[1].split("</tr>")[0]
    assert '<span class="badge st-conflict">conflict</span>' in row
    outlets = {cell["outlet"] for f in story["facts"] for cell in f["cells"]}
    assert all(f'<th scope="col">{o}</th>' in table for o in outlets)
    if len(outlets) > len(conflict["cells"]):
        assert "not reported" in row


def _cite_links(page: str) -> list[tuple[str, str]]:
    """(open-article href, cited sentence) of every citation popup on a story page."""
    return [(unescape(h), unescape(s)) for s, h in re.findall(
        r'<q class="cite-sentence">([^<]*)</q> <a class="cite-open" href="([^"]*)">open article</a>', page)]


def _sentence_at(client: TestClient, href: str) -> str:
    path, _, anchor = href.partition("#")
    m = re.search(rf'<span class="sent" id="{re.escape(anchor)}">([^<]*)</span>', client.get(path).text)
    assert m, href
    return unescape(m.group(1))


def test_every_brief_citation_links_to_its_sentence(client, ids, seed_set):
    story, _ = seed_set
    page = client.get(f"/stories/{_seed_story_id(ids)}").text
    brief = page[page.index('<p class="brief">'):page.index("</section>", page.index('<p class="brief">'))]
    links = _cite_links(brief)
    assert len(links) == sum(len(set(b.sources)) for b in story.brief)
    for href, sentence in links:
        assert re.fullmatch(r"/articles/[^#]+#s-\d+", href), href
        # the anchor is the sentence the popup shows, so "open article" lands on it
        assert sentence and sentence in _sentence_at(client, href)


def test_a_quote_cited_mid_sentence_links_to_its_whole_sentence(seed_set):
    from storydesk.records import Passage
    from storydesk.report.view import _Citer

    story, arts = seed_set
    by_id = {a.id: a for a in arts}
    art = next(a for a in arts if a.text.count(". ") >= 2)
    second = art.text.index(". ") + 2  # the second sentence starts here
    inner = art.text.index(" ", second + 3) + 1  # a passage from inside it, as a quote's can be
    passage = Passage(article=art.id, start=inner, end=inner + 5, text=art.text[inner:inner + 5])
    cite = _Citer(story, by_id).cite(art.id, "a statement", [passage])
    assert cite.start == second
    # offsets that do not match the text are found by the passage's text; absent text gives no anchor
    moved = Passage(article=art.id, start=0, end=5, text=passage.text)
    assert _Citer(story, by_id).cite(art.id, "x", [moved]).start is not None
    gone = Passage(article=art.id, start=0, end=5, text="zzqx not in the text")
    assert _Citer(story, by_id).cite(art.id, "x", [gone]).start is None
    assert _Citer(story, {}).cite(art.id, "x", [passage]).start is None
