"""Versioned schema: each migration runs once, in order, recorded in PRAGMA user_version.

Add a migration by appending to MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: articles, their full-text index, stories, assignments, stage state
    """
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        outlet TEXT, title TEXT, url TEXT, published TEXT, language TEXT, author TEXT,
        raw_text TEXT NOT NULL, text TEXT NOT NULL,
        removed TEXT NOT NULL DEFAULT '[]', provenance TEXT,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX articles_outlet ON articles(outlet);
    CREATE INDEX articles_published ON articles(published);
    CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='seq');
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
    END;
    CREATE TABLE article_story (
        article_id TEXT PRIMARY KEY REFERENCES articles(id),
        story_id TEXT NOT NULL,
        syndicated_from TEXT
    );
    CREATE INDEX article_story_story ON article_story(story_id);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY, title TEXT NOT NULL,
        first_seen TEXT, last_seen TEXT,
        article_count INTEGER NOT NULL DEFAULT 0, outlet_count INTEGER NOT NULL DEFAULT 0,
        outlets TEXT NOT NULL DEFAULT '[]',
        data TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE INDEX stories_last_seen ON stories(last_seen);
    CREATE INDEX stories_first_seen ON stories(first_seen);
    CREATE VIRTUAL TABLE stories_fts USING fts5(story_id UNINDEXED, title, body);
    CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB, updated_at TEXT NOT NULL);
    """,
    # 2: the story list without decoding story JSON, and indexes on the web app's query paths.
    # - independent_sources and keywords get their own columns (the rest of a `stories --json`
    #   row already had one), so list_stories reads no `data`;
    # - story_outlets replaces a json_each scan of every story for the outlet filter;
    # - stories_recent serves the list's ORDER BY (newest first) so a LIMIT stops early;
    # - stories_fts is keyed by the stories rowid: story_id was UNINDEXED, so replacing one
    #   story's text scanned the whole FTS table (quadratic over a run's stories).
    """
    ALTER TABLE stories ADD COLUMN independent_sources INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE stories ADD COLUMN keywords TEXT NOT NULL DEFAULT '[]';
    UPDATE stories SET
        independent_sources = coalesce(json_extract(data, '$.independent_sources'), 0),
        keywords = coalesce(json_extract(data, '$.keywords'), '[]');
    CREATE TABLE story_outlets (
        outlet TEXT NOT NULL, story_id TEXT NOT NULL, PRIMARY KEY (outlet, story_id)
    ) WITHOUT ROWID;
    CREATE INDEX story_outlets_story ON story_outlets(story_id);
    INSERT OR IGNORE INTO story_outlets (outlet, story_id)
        SELECT j.value, s.id FROM stories s, json_each(s.outlets) j;
    CREATE INDEX stories_recent ON stories(
        coalesce(last_seen, first_seen, updated_at) DESC, article_count DESC, id);
    DROP TABLE stories_fts;
    CREATE VIRTUAL TABLE stories_fts USING fts5(title, body);
    INSERT INTO stories_fts (rowid, title, body)
        SELECT s.rowid, s.title,
            coalesce((SELECT group_concat(json_extract(b.value, '$.text'), ' ')
                      FROM json_each(s.data, '$.brief') b), '')
            || ' ' ||
            coalesce((SELECT group_concat(k.value, ' ') FROM json_each(s.keywords) k), '')
        FROM stories s;
    """,
    # 3: the story list ranked by coverage and recency, with each card's conflict count, and the
    # analysis settings each story was made with (so a run with other settings redoes it).
    # - rank = log2(coverage) + days since the epoch / half-life (store/ranking.py): ordering by
    #   it is ordering by coverage halved per half-life of age, against any reference time, so
    #   the column never needs refreshing as time passes; NULL for an undated story (listed last);
    # - conflicts: the story's discrepancies (facts the outlets give different values for);
    # - analysed_with: settings.analysis_key() of the run that wrote the story; NULL: unknown.
    """
    ALTER TABLE stories ADD COLUMN rank REAL;
    ALTER TABLE stories ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE stories ADD COLUMN analysed_with TEXT;
    UPDATE stories SET
        rank = storydesk_rank(
            CASE WHEN independent_sources > 0 THEN independent_sources ELSE article_count END,
            last_seen, updated_at),
        conflicts = CASE WHEN json_valid(data)
            THEN coalesce(json_array_length(data, '$.discrepancies'), 0) ELSE 0 END;
    CREATE INDEX stories_ranked ON stories(rank IS NULL, rank DESC, article_count DESC, id);
    """,
    # 4: story ids merged away by clustering (two stories found to be one event) -> the story they
    # went into, so a link to the old id still opens the story (issue 22)
    """
    CREATE TABLE story_aliases (alias TEXT PRIMARY KEY, story_id TEXT NOT NULL) WITHOUT ROWID;
    """,
    # 5: article versions and story history (issue 25).
    # - identity: the page an article was read from (store/versions.py: its URL), so a re-ingested
    #   URL whose text changed is a new version (a new content id) of the same article;
    # - superseded_by: the newest version's id on every older version (NULL: the newest), so a
    #   story reads only the newest version of each page; filled here for stores that already
    #   hold several texts of one URL (the last ingested is the newest);
    # - story_versions: every analysis of a story that changed it, with its time, for
    #   `storydesk changes`; the stories already stored become their first version.
    """
    ALTER TABLE articles ADD COLUMN identity TEXT;
    ALTER TABLE articles ADD COLUMN superseded_by TEXT;
    UPDATE articles SET identity = storydesk_identity(url);
    CREATE INDEX articles_identity ON articles(identity);
    UPDATE articles SET superseded_by = (
        SELECT b.id FROM articles b WHERE b.identity = articles.identity ORDER BY b.seq DESC LIMIT 1)
    WHERE identity IS NOT NULL AND seq < (
        SELECT max(b.seq) FROM articles b WHERE b.identity = articles.identity);
    CREATE TABLE story_versions (
        story_id TEXT NOT NULL, version INTEGER NOT NULL, analysed_at TEXT NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (story_id, version)
    ) WITHOUT ROWID;
    INSERT INTO story_versions (story_id, version, analysed_at, data)
        SELECT id, 1, updated_at, data FROM stories;
    """,
    # 6: the bytes each document was read from (issue 25's evidence package), content-addressed:
    # sha256 of the bytes (hex) -> the bytes zlib-compressed, their size, the Content-Type and the
    # HTTP status line and headers they came with (NULL: not over HTTP, or unknown). Articles name
    # theirs in provenance.original_sha256; one page ingested twice, or one body behind two URLs,
    # is kept once. A rowid table: rows hold whole pages, which WITHOUT ROWID tables store badly.
    """
    CREATE TABLE originals (
        sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, content_type TEXT, http_headers TEXT,
        data BLOB NOT NULL, stored_at TEXT NOT NULL
    );
    """,
]


def _statements(script: str) -> list[str]:
    """Split a script into whole statements (triggers hold ';' inside BEGIN ... END)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; return the version now in force.

    Runs under BEGIN IMMEDIATE, so two processes opening a new store at once do not both migrate:
    the second waits for the write lock, then sees the new user_version and does nothing.
    """
    if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= len(MIGRATIONS):
        return len(MIGRATIONS)
    saved = conn.isolation_level
    conn.isolation_level = None  # we issue BEGIN/COMMIT ourselves
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            for number, script in enumerate(MIGRATIONS, start=1):
                if number <= version:
                    continue
                for stmt in _statements(script):
                    conn.execute(stmt)
                conn.execute(f"PRAGMA user_version = {number}")
                version = number
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.isolation_level = saved
    return version


SCHEMA_VERSION = len(MIGRATIONS)
