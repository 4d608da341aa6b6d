"""Migration 6 (the originals table) on a store written before it: articles read as before (no
original named), and the table exists, empty, for the next ingest."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from storydesk.records import Article, Original, Provenance
from storydesk.store.migrations import SCHEMA_VERSION
from storydesk.store.sqlite import DB_NAME, open_store


def test_a_schema_5_store_gains_the_originals_table_and_keeps_its_articles(tmp_path: Path) -> None:
    text = "The harbour reopened on Thursday after the storm, the port authority said."
    art = Article(id="a1", outlet="O", title="Harbour", url="https://o.example/h", published=None,
                  language="en", raw_text=text, text=text, provenance=Provenance("h.html", "html"))
    with open_store(tmp_path) as store:
        store.add_articles([art])
    # what a storydesk from before migration 6 left: no originals table, user_version 5
    conn = sqlite3.connect(tmp_path / DB_NAME)
    conn.execute("DROP TABLE originals")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    with open_store(tmp_path, readonly=True) as store:  # the web app's way in: migrates first
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 6
        assert store.get_article("a1") == art
        assert store.get_originals(["0" * 64]) == {}
    orig = Original(b"<p>" + text.encode() + b"</p>", "text/html")
    with open_store(tmp_path) as store:
        again = dataclasses.replace(art, provenance=Provenance("h.html", "html", original_sha256=orig.sha256))
        assert store.add_articles([again], {orig.sha256: orig}) == []
        assert store.get_originals([store.get_article("a1").provenance.original_sha256]) == {  # type: ignore[union-attr]
            orig.sha256: orig}
