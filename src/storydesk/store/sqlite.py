"""SQLite store: WAL journal so one writer and many readers share a data directory safely.

Each write batch is one transaction, so an interrupted ingest keeps every batch committed before
it (tests/store/test_sqlite.py kills a writer midway to show it). Full-text search is FTS5, built
into SQLite (DuckDB's FTS extension downloads at run time, which cannot work offline).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storydesk.errors import NotFound, StoreError, UsageError
from storydesk.records import Article, Assignment, Original, Provenance, Removed, Story
from storydesk.store.migrations import SCHEMA_VERSION, migrate
from storydesk.store.ranking import DEFAULT_RANKING, Ranking, parse_time, rank_key
from storydesk.store.versions import ArticleVersion, StoryVersionInfo, article_identity

DB_NAME = "storydesk.db"
# Rows per INSERT batch: large enough that fsync cost is amortised (bench/throughput.py),
# small enough that a kill loses at most one batch of work, never committed data.
BATCH = 500
# what a page version record (`ArticleVersion`) reads of an article row
_VERSION_COLUMNS = "id, identity, ingested_at, provenance, superseded_by, outlet, url"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _now_exact() -> str:
    """The time a story version is kept: to the microsecond, so two analyses in one second
    (a test, a fast `watch`) stay in order and `changes --since` can fall between them."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


# Story versions are kept zlib-compressed: each changed analysis keeps a whole story. On the
# seeds' 96 KB story, level 1 compresses to 0.15 of the JSON in 0.8 ms, level 6 to 0.11 in
# 1.8 ms; a put_stories of that story costs about 4.5 ms, so level 1 keeps the history's time
# small beside it (issue 25; measured with zlib.compress in a loop, load 4).
VERSION_COMPRESSION = 1
# Originals (whole HTML pages) are written once and read only by an export: level 6 (measured
# in the commit that added them) keeps more of the store's size down for a little ingest time.
ORIGINAL_COMPRESSION = 6


def _version_json(data: bytes | str) -> str:
    """A kept story version's JSON: compressed (BLOB) since it is written so, or text as
    migration 5 copied the stories stored before it."""
    return zlib.decompress(data).decode("utf-8") if isinstance(data, bytes) else data


def _fts_query(q: str) -> str:
    """Turn user words into a safe FTS5 query: each word quoted, all required, last one a prefix."""
    words = [w.replace('"', '""') for w in q.split() if w.strip()]
    if not words:
        return '""'
    parts = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return " ".join(parts)


class SqliteStore:
    """The default store. One instance per process; safe to share between threads."""

    def __init__(self, path: Path, readonly: bool = False, ranking: Ranking = DEFAULT_RANKING) -> None:
        self.path = path
        self.ranking = ranking
        self._lock = threading.RLock()
        try:
            if readonly:
                self.conn = self._connect_readonly(path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            # migration 3 fills the rank column of stored stories with the same function as put_stories
            self.conn.create_function("storydesk_rank", 3, self._rank_sql, deterministic=True)
            # migration 5 fills the identity column with the same rule as _insert
            self.conn.create_function("storydesk_identity", 1, article_identity, deterministic=True)
            # busy_timeout: a second process waits for the writer instead of failing at once.
            self.conn.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                self._wal()
                self.conn.execute("PRAGMA synchronous = NORMAL")
                migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    def _rank_sql(self, coverage: int | None, last_seen: str | None, written: str | None) -> float | None:
        return rank_key(coverage, last_seen, now=written, ranking=self.ranking)

    @staticmethod
    def _connect_readonly(path: Path) -> sqlite3.Connection:
        """A read-only connection to a store at the current schema version.

        A store written by an older storydesk (the web app opens stores read-only) is migrated
        first through a short read-write connection: the readers' queries need the new columns.
        """
        uri = f"file:{path}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version >= SCHEMA_VERSION:
            return conn
        conn.close()
        try:
            SqliteStore(path).close()  # migrates under BEGIN IMMEDIATE (safe beside other writers)
        except (StoreError, sqlite3.OperationalError) as exc:
            raise StoreError(
                f"the store at {path} has schema version {version}, this storydesk needs {SCHEMA_VERSION},"
                f" and it cannot be upgraded from here ({exc}): run `storydesk ingest` once with write access"
            ) from exc
        return sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)

    def _wal(self) -> None:
        """Switch to WAL once; the switch ignores busy_timeout, so retry while another process creates the file."""
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    # ------------------------------------------------------------------ articles

    def add_articles(self, articles: Iterable[Article],
                     originals: Mapping[str, Original] | None = None) -> list[str]:
        """Insert articles not yet stored; return the new ids. Commits every BATCH rows.

        `originals` (sha256 -> the bytes an article was read from) are kept, in the same
        transaction as the articles whose provenance.original_sha256 names them; an article
        stored before its bytes were kept gets their hash when it is ingested again.
        """
        new: list[str] = []
        batch: list[Article] = []
        for art in articles:
            batch.append(art)
            if len(batch) >= BATCH:
                new += self._insert(batch, originals or {})
                batch = []
        if batch:
            new += self._insert(batch, originals or {})
        return new

    def _insert(self, batch: list[Article], originals: Mapping[str, Original]) -> list[str]:
        with self._lock, self.conn:
            # take the write lock before looking: two processes inserting the same article must
            # not both find it missing (a deferred transaction would only lock at the INSERT)
            self.conn.execute("BEGIN IMMEDIATE")
            ids = [a.id for a in batch]
            marks = ",".join("?" * len(ids))
            have = {r[0] for r in self.conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})", ids)}
            fresh: list[Article] = []
            seen: set[str] = set()
            for a in batch:
                if a.id not in have and a.id not in seen:
                    fresh.append(a)
                    seen.add(a.id)
            now = _now()
            self.conn.executemany(
                "INSERT INTO articles (id, outlet, title, url, published, language, author, raw_text,"
                " text, removed, provenance, ingested_at, identity) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [self._row(a, now) for a in fresh],
            )
            for a in fresh:
                self._supersede(a)
            self._keep_originals(batch, originals, now)
            return [a.id for a in fresh]

    def _keep_originals(self, batch: list[Article], originals: Mapping[str, Original], now: str) -> None:
        """Store the originals `batch` names (once each); name them on stored articles lacking one."""
        named = {a.id: a.provenance.original_sha256 for a in batch
                 if a.provenance is not None and a.provenance.original_sha256 in originals}
        if not named:
            return
        rows = []
        for sha in dict.fromkeys(named.values()):
            assert sha is not None
            orig = originals[sha]
            rows.append((sha, len(orig.data), orig.content_type, orig.http_headers,
                         zlib.compress(orig.data, ORIGINAL_COMPRESSION), now))
        self.conn.executemany(
            "INSERT OR IGNORE INTO originals (sha256, size, content_type, http_headers, data, stored_at)"
            " VALUES (?,?,?,?,?,?)", rows)
        # the same page ingested before originals were kept: same id, provenance without the hash
        self.conn.executemany(
            "UPDATE articles SET provenance = json_set(provenance, '$.original_sha256', ?)"
            " WHERE id = ? AND json_valid(provenance) AND json_type(provenance) = 'object'"
            " AND json_extract(provenance, '$.original_sha256') IS NULL",
            [(sha, aid) for aid, sha in named.items()])

    def get_originals(self, shas: Iterable[str | None]) -> dict[str, Original]:
        """The stored originals among `shas` (sha256 -> bytes and how they were served)."""
        out: dict[str, Original] = {}
        sql = "SELECT sha256, size, content_type, http_headers, data FROM originals WHERE sha256 IN ({marks})"
        for row in self._rows_in(sql, sorted({s for s in shas if s})):
            # bounded by the size stored: a damaged row cannot inflate without limit
            data = zlib.decompressobj().decompress(row["data"], row["size"] + 1)
            if len(data) != row["size"] or hashlib.sha256(data).hexdigest() != row["sha256"]:
                continue  # damaged: better no original than a wrong one
            out[row["sha256"]] = Original(data, row["content_type"], row["http_headers"])
        return out

    def _supersede(self, a: Article) -> None:
        """Mark the versions of `a`'s page: the newest is the one a story reads (issue 25).

        `a` (just inserted) is newest unless both it and the current newest say when they were
        fetched and `a` was fetched earlier: an old capture ingested late (yesterday's WARC after
        today's crawl) is kept as a version but does not replace the later text.
        """
        identity = article_identity(a.url)
        if identity is None:
            return
        current = self.conn.execute(
            "SELECT id, provenance FROM articles WHERE identity = ? AND superseded_by IS NULL"
            " AND seq < (SELECT seq FROM articles WHERE id = ?) ORDER BY seq DESC LIMIT 1",
            (identity, a.id)).fetchone()
        if current is None:
            return
        old_prov = json.loads(current["provenance"]) if current["provenance"] else None
        old_fetched = parse_time((old_prov or {}).get("fetched"))
        new_fetched = parse_time(a.provenance.fetched if a.provenance else None)
        if old_fetched is not None and new_fetched is not None and new_fetched < old_fetched:
            self.conn.execute("UPDATE articles SET superseded_by = ? WHERE id = ?", (current["id"], a.id))
            return
        self.conn.execute("UPDATE articles SET superseded_by = ? WHERE identity = ? AND id != ?",
                          (a.id, identity, a.id))

    @staticmethod
    def _row(a: Article, now: str) -> tuple[Any, ...]:
        return (
            a.id, a.outlet, a.title, a.url, a.published, a.language, a.author, a.raw_text, a.text,
            json.dumps([r.to_dict() for r in a.removed], ensure_ascii=False),
            json.dumps(a.provenance.to_dict() if a.provenance else None, ensure_ascii=False), now,
            article_identity(a.url),
        )

    def update_articles(self, articles: Iterable[Article]) -> None:
        """Replace cleaned fields of stored articles (after a corpus-level re-clean)."""
        rows = [
            (a.outlet, a.title, a.url, a.published, a.language, a.author, a.text,
             json.dumps([r.to_dict() for r in a.removed], ensure_ascii=False), a.id)
            for a in articles
        ]
        with self._lock, self.conn:
            self.conn.executemany(
                "UPDATE articles SET outlet=?, title=?, url=?, published=?, language=?, author=?,"
                " text=?, removed=? WHERE id=?",
                rows,
            )

    @staticmethod
    def _article(row: sqlite3.Row) -> Article:
        prov = json.loads(row["provenance"]) if row["provenance"] else None
        return Article(
            id=row["id"], outlet=row["outlet"], title=row["title"], url=row["url"],
            published=row["published"], language=row["language"], author=row["author"],
            raw_text=row["raw_text"], text=row["text"],
            removed=tuple(Removed.from_dict(r) for r in json.loads(row["removed"] or "[]")),
            provenance=Provenance.from_dict(prov) if prov else None,
        )

    def _resolve(self, table: str, ref: str) -> str:
        ref = ref.strip()
        if not ref:
            raise UsageError("an id is required")
        with self._lock:
            row = self.conn.execute(f"SELECT id FROM {table} WHERE id = ?", (ref,)).fetchone()
            if row:
                return str(row[0])
            like = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = self.conn.execute(
                f"SELECT id FROM {table} WHERE id LIKE ? ESCAPE '\\' LIMIT 2", (like,)
            ).fetchall()
        kind, command = ("article", "articles") if table == "articles" else ("story", "stories")
        if not rows:
            raise NotFound(f"no {kind} with id {ref!r} (list them with `storydesk {command}`)")
        if len(rows) > 1:
            raise UsageError(f"{ref!r} matches more than one {kind}; give more of the id")
        return str(rows[0][0])

    def get_article(self, ref: str) -> Article:
        """One article by id or unique id prefix."""
        aid = self._resolve("articles", ref)
        with self._lock:
            row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (aid,)).fetchone()
        return self._article(row)

    def iter_articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        """Articles in ingestion order; reads in pages so memory stays flat."""
        if ids is not None:
            for r in self._rows_in("SELECT * FROM articles WHERE id IN ({marks}) ORDER BY seq", ids):
                yield self._article(r)
            return
        last = 0
        while True:
            with self._lock:
                rows = self.conn.execute(
                    "SELECT * FROM articles WHERE seq > ? ORDER BY seq LIMIT ?", (last, BATCH)
                ).fetchall()
            if not rows:
                return
            for r in rows:
                yield self._article(r)
            last = rows[-1]["seq"]

    def list_articles(self, limit: int | None = None, query: str | None = None,
                      outlet: str | None = None, story: str | None = None) -> list[dict[str, Any]]:
        """`articles --json` rows (id, outlet, title, url, published, language, story).

        An older text of a page (superseded by a re-ingested one) is in no story: its page's
        newest text stands in the story for it.
        """
        sql = (
            "SELECT a.id, a.outlet, a.title, a.url, a.published, a.language,"
            " CASE WHEN a.superseded_by IS NULL THEN s.story_id END AS story,"
            " s.syndicated_from FROM articles a LEFT JOIN article_story s ON s.article_id = a.id"
        )
        where: list[str] = []
        args: list[Any] = []
        if query:
            where.append("a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            args.append(_fts_query(query))
        if outlet:
            where.append("a.outlet = ?")
            args.append(outlet)
        if story:
            where.append("s.story_id = ? AND a.superseded_by IS NULL")
            args.append(story)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.seq"
        if limit:
            sql += " LIMIT ?"
            args.append(int(limit))
        with self._lock:
            return [dict(r) for r in self.conn.execute(sql, args)]

    def count_articles(self) -> int:
        with self._lock:
            return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def outlets_of(self, article_ids: Iterable[str]) -> list[str]:
        """Distinct outlets of the given articles, sorted (articles without one are left out)."""
        sql = "SELECT DISTINCT outlet FROM articles WHERE id IN ({marks}) AND outlet IS NOT NULL"
        return sorted({r[0] for r in self._rows_in(sql, article_ids)})

    def article_ids(self, outlet: str | None = None) -> list[str]:
        """Ids of stored articles in ingestion order (all, or one outlet's), without reading them."""
        with self._lock:
            if outlet is None:
                rows = self.conn.execute("SELECT id FROM articles ORDER BY seq").fetchall()
            else:
                rows = self.conn.execute("SELECT id FROM articles WHERE outlet = ? ORDER BY seq",
                                         (outlet,)).fetchall()
        return [r[0] for r in rows]

    def outlets(self) -> list[str]:
        """Distinct outlet names, for the web app's filter."""
        with self._lock:
            rows = self.conn.execute(
                "SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL ORDER BY outlet"
            ).fetchall()
        return [r[0] for r in rows]

    # ------------------------------------------------------------------ stories

    def set_assignments(self, assignments: Iterable[Assignment]) -> None:
        rows = [(a.article, a.story, a.syndicated_from) for a in assignments]
        with self._lock, self.conn:
            self.conn.executemany(
                "INSERT INTO article_story (article_id, story_id, syndicated_from) VALUES (?,?,?)"
                " ON CONFLICT(article_id) DO UPDATE SET story_id=excluded.story_id,"
                " syndicated_from=excluded.syndicated_from",
                rows,
            )

    def _rows_in(self, sql: str, keys: Iterable[str], *extra: Any) -> Iterator[sqlite3.Row]:
        """Rows of `sql` (its `{marks}` a placeholder list for the keys, then `extra` parameters)
        over the distinct `keys` in chunks of BATCH, so no query passes SQLite's parameter limit."""
        wanted = list(dict.fromkeys(keys))
        for i in range(0, len(wanted), BATCH):
            chunk = wanted[i : i + BATCH]
            with self._lock:
                rows = self.conn.execute(sql.format(marks=",".join("?" * len(chunk))), [*chunk, *extra]).fetchall()
            yield from rows

    def _assignments_where(self, sql: str, keys: Iterable[str]) -> dict[str, Assignment]:
        """Assignments by article id from `sql` (see `_rows_in`) over `keys`."""
        return {r[0]: Assignment(article=r[0], story=r[1], syndicated_from=r[2]) for r in self._rows_in(sql, keys)}

    def assignments_of(self, article_ids: Iterable[str]) -> dict[str, Assignment]:
        """The assignments of the given articles (those that have one), by article id."""
        return self._assignments_where(
            "SELECT article_id, story_id, syndicated_from FROM article_story WHERE article_id IN ({marks})",
            article_ids,
        )

    def assignments_of_stories(self, story_ids: Iterable[str]) -> dict[str, Assignment]:
        """The assignments of the articles in the given stories, by article id: newest versions only.

        An older text of a page (superseded by a re-ingested one) is left out, so a story reads
        each page once, as it now stands. A copy of an older text counts as a copy of the page's
        newest text, and a newer text that clustering took for a copy of its own older text is
        the page itself (a copy only of what the older text copied).
        """
        found = self._assignments_where(
            "SELECT s.article_id, s.story_id, s.syndicated_from FROM article_story s"
            " JOIN articles a ON a.id = s.article_id WHERE s.story_id IN ({marks})"
            " AND a.superseded_by IS NULL ORDER BY a.seq",
            story_ids,
        )
        return self._copies_of_newest(found)

    def _copies_of_newest(self, found: dict[str, Assignment]) -> dict[str, Assignment]:
        origins = {a.syndicated_from for a in found.values() if a.syndicated_from}
        if not origins:
            return found
        versions = self.versions_of(origins | set(found))
        origin_of = self.assignments_of(origins)
        out: dict[str, Assignment] = {}
        for aid, a in found.items():
            origin = a.syndicated_from
            mine = versions.get(aid)
            theirs = versions.get(origin) if origin else None
            if origin and mine and theirs and mine.identity is not None and mine.identity == theirs.identity:
                stored = origin_of.get(origin)
                origin = stored.syndicated_from if stored else None
                if origin and origin not in versions:
                    versions.update(self.versions_of([origin]))
            if origin and (v := versions.get(origin)) is not None and v.superseded_by:
                origin = v.superseded_by
            if origin == aid:
                origin = None
            out[aid] = a if origin == a.syndicated_from else Assignment(a.article, a.story, origin)
        return out

    def assignments(self) -> dict[str, Assignment]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT article_id, story_id, syndicated_from FROM article_story"
            ).fetchall()
        return {r[0]: Assignment(article=r[0], story=r[1], syndicated_from=r[2]) for r in rows}

    def put_stories(self, stories: Iterable[Story], analysed_with: str | None = None) -> None:
        """Insert or replace stories (their full JSON plus the listing columns and FTS text).

        One transaction for all of them; the listing columns are what `list_stories` reads.
        `analysed_with` (Settings.analysis_key()) records which analysis settings made them.
        """
        now = _now()
        with self._lock, self.conn:
            for s in stories:
                data = json.dumps(s.to_dict(), ensure_ascii=False)
                body = " ".join(b.text for b in s.brief) + " " + " ".join(s.keywords)
                outlet_names = sorted({a.outlet for a in s.articles if a.outlet})
                coverage = s.independent_sources or s.article_count
                # compared in SQLite: the stored row holds the newest kept version's JSON
                unchanged = self.conn.execute("SELECT data = ? FROM stories WHERE id = ?", (data, s.id)).fetchone()
                rowid = self.conn.execute(
                    "INSERT INTO stories (id, title, first_seen, last_seen, article_count, outlet_count,"
                    " outlets, data, updated_at, independent_sources, keywords, rank, conflicts,"
                    " analysed_with)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
                    " title=excluded.title, first_seen=excluded.first_seen, last_seen=excluded.last_seen,"
                    " article_count=excluded.article_count, outlet_count=excluded.outlet_count,"
                    " outlets=excluded.outlets, data=excluded.data, updated_at=excluded.updated_at,"
                    " independent_sources=excluded.independent_sources, keywords=excluded.keywords,"
                    " rank=excluded.rank, conflicts=excluded.conflicts, analysed_with=excluded.analysed_with"
                    " RETURNING rowid",
                    (s.id, s.title, s.first_seen, s.last_seen, s.article_count, s.outlet_count,
                     json.dumps(outlet_names, ensure_ascii=False), data, now, s.independent_sources,
                     json.dumps(list(s.keywords), ensure_ascii=False),
                     rank_key(coverage, s.last_seen, now=now, ranking=self.ranking),
                     len(s.discrepancies), analysed_with),
                ).fetchone()[0]
                self.conn.execute("DELETE FROM stories_fts WHERE rowid = ?", (rowid,))
                self.conn.execute("INSERT INTO stories_fts (rowid, title, body) VALUES (?,?,?)",
                                  (rowid, s.title, body))
                self.conn.execute("DELETE FROM story_outlets WHERE story_id = ?", (s.id,))
                self.conn.executemany("INSERT INTO story_outlets (outlet, story_id) VALUES (?,?)",
                                      [(o, s.id) for o in outlet_names])
                # an analysis that changed nothing (the same articles re-analysed with the same
                # settings) adds no version: history grows only with news, and `changes` never
                # reports an empty step
                if unchanged is None or not unchanged[0]:
                    self._keep_version(s.id, data)

    def _keep_version(self, story_id: str, data: str) -> None:
        """Keep this analysis as the story's next version. Runs inside the caller's transaction."""
        last = self.conn.execute("SELECT coalesce(max(version), 0) FROM story_versions WHERE story_id = ?",
                                 (story_id,)).fetchone()[0]
        self.conn.execute(
            "INSERT INTO story_versions (story_id, version, analysed_at, data) VALUES (?,?,?,?)",
            (story_id, int(last) + 1, _now_exact(), zlib.compress(data.encode("utf-8"), VERSION_COMPRESSION)))

    def delete_stories(self, ids: Iterable[str]) -> None:
        """Drop stories that no longer have articles (after a merge)."""
        ids = list(ids)
        with self._lock, self.conn:
            for sid in ids:
                row = self.conn.execute("DELETE FROM stories WHERE id = ? RETURNING rowid", (sid,)).fetchone()
                if row is not None:
                    self.conn.execute("DELETE FROM stories_fts WHERE rowid = ?", (row[0],))
                self.conn.execute("DELETE FROM story_outlets WHERE story_id = ?", (sid,))
                self.conn.execute("DELETE FROM story_versions WHERE story_id = ?", (sid,))

    def put_story_aliases(self, aliases: dict[str, str]) -> None:
        """Keep story ids merged away by clustering as aliases of the story each went into.

        An earlier alias that pointed at a story now merged away follows it; an id that names a
        story again is no longer an alias. Commits.
        """
        if not aliases:
            return
        with self._lock, self.conn:
            self.conn.executemany("UPDATE story_aliases SET story_id = ? WHERE story_id = ?",
                                  [(new, old) for old, new in aliases.items()])
            self.conn.executemany("INSERT OR REPLACE INTO story_aliases (alias, story_id) VALUES (?, ?)",
                                  list(aliases.items()))
            self.conn.executemany("DELETE FROM story_aliases WHERE alias = ?", [(v,) for v in aliases.values()])

    def get_story(self, ref: str) -> Story:
        """One story by id, unique id prefix, or an id it was merged from (an alias)."""
        try:
            sid = self._resolve("stories", ref)
        except NotFound:
            with self._lock:
                row = self.conn.execute("SELECT story_id FROM story_aliases WHERE alias = ?",
                                        (ref.strip(),)).fetchone()
            if row is None:
                raise
            sid = str(row[0])
        with self._lock:
            row = self.conn.execute("SELECT data FROM stories WHERE id = ?", (sid,)).fetchone()
        if row is None:
            raise NotFound(f"no story with id {ref!r} (list them with `storydesk stories`)")
        return Story.from_dict(json.loads(row[0]))

    def iter_stories(self) -> Iterator[Story]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT data FROM stories ORDER BY rank IS NULL, rank DESC, article_count DESC, id"
            ).fetchall()
        for r in rows:
            yield Story.from_dict(json.loads(r[0]))

    def _story_where(self, query: str | None, outlet: str | None, since: str | None,
                     until: str | None) -> tuple[str, list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        if query:
            where.append(
                "(rowid IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?) OR id IN"
                " (SELECT s.story_id FROM article_story s JOIN articles a ON a.id = s.article_id"
                " WHERE a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)))"
            )
            args += [_fts_query(query), _fts_query(query)]
        if outlet:
            where.append("id IN (SELECT story_id FROM story_outlets WHERE outlet = ?)")
            args.append(outlet)
        # A date filter asks about dates: an undated story cannot be shown to fall inside it.
        if since:
            where.append("last_seen IS NOT NULL AND last_seen >= ?")
            args.append(since)
        if until:
            where.append("first_seen IS NOT NULL AND first_seen <= ?")
            # "T99" sorts after every time of that day (23:59:59.5 and offsets included), before the next day
            args.append(until + "T99" if len(until) == 10 else until)
        return (" WHERE " + " AND ".join(where) if where else ""), args

    def list_stories(self, query: str | None = None, outlet: str | None = None,
                     since: str | None = None, until: str | None = None,
                     limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """`stories --json` rows, biggest live story first; optional full-text query and filters.

        Ranked by coverage and recency (store/ranking.py), undated stories last (biggest first).
        `since`/`until` (YYYY-MM-DD) leave undated stories out. Reads only the listing columns
        (never a story's full JSON), in the order of the `stories_ranked` index, so a page
        costs the rows it returns.
        """
        where, args = self._story_where(query, outlet, since, until)
        sql = (
            "SELECT id, title, article_count, outlet_count, independent_sources, first_seen, last_seen,"
            " keywords, outlets, conflicts FROM stories" + where
            + " ORDER BY rank IS NULL, rank DESC, article_count DESC, id"
        )
        if limit or offset:
            sql += " LIMIT ? OFFSET ?"
            args += [int(limit) if limit else -1, max(int(offset), 0)]
        with self._lock:
            rows = self.conn.execute(sql, args).fetchall()
        return [
            {"id": r["id"], "title": r["title"], "article_count": r["article_count"],
             "outlet_count": r["outlet_count"], "independent_sources": r["independent_sources"],
             "first_seen": r["first_seen"], "last_seen": r["last_seen"],
             "keywords": json.loads(r["keywords"]), "outlets": json.loads(r["outlets"]),
             "conflicts": r["conflicts"]}
            for r in rows
        ]

    def count_stories(self, query: str | None = None, outlet: str | None = None,
                      since: str | None = None, until: str | None = None) -> int:
        """How many stories `list_stories` would list with these filters and no limit."""
        where, args = self._story_where(query, outlet, since, until)
        with self._lock:
            return int(self.conn.execute("SELECT count(*) FROM stories" + where, args).fetchone()[0])

    def stale_stories(self, story_ids: Iterable[str], analysis_key: str) -> set[str]:
        """Those of the given stories that were analysed with other settings (or unknown ones)."""
        sql = "SELECT id FROM stories WHERE id IN ({marks}) AND (analysed_with IS NULL OR analysed_with != ?)"
        return {r[0] for r in self._rows_in(sql, story_ids, analysis_key)}

    # ------------------------------------------------------------------ versions (issue 25)

    @staticmethod
    def _version(row: sqlite3.Row) -> ArticleVersion:
        """An `ArticleVersion` from a row of `_VERSION_COLUMNS`."""
        prov = json.loads(row["provenance"]) if row["provenance"] else None
        return ArticleVersion(id=row["id"], identity=row["identity"], seen=row["ingested_at"],
                              fetched=(prov or {}).get("fetched"), superseded_by=row["superseded_by"],
                              outlet=row["outlet"], url=row["url"])

    def versions_of(self, article_ids: Iterable[str]) -> dict[str, ArticleVersion]:
        """Each given article's version record (page identity, first seen, newest version), by id."""
        sql = f"SELECT {_VERSION_COLUMNS} FROM articles WHERE id IN ({{marks}})"
        return {r["id"]: self._version(r) for r in self._rows_in(sql, article_ids)}

    def article_versions(self, ref: str) -> list[ArticleVersion]:
        """Every stored version of the page article `ref` was read from, oldest first (itself alone
        when it has no URL)."""
        aid = self._resolve("articles", ref)
        cols = _VERSION_COLUMNS
        with self._lock:
            row = self.conn.execute(f"SELECT {cols} FROM articles WHERE id = ?", (aid,)).fetchone()
            if row["identity"] is None:
                return [self._version(row)]
            rows = self.conn.execute(f"SELECT {cols} FROM articles WHERE identity = ? ORDER BY seq",
                                     (row["identity"],)).fetchall()
        return [self._version(r) for r in rows]

    def earlier_versions(self, article_ids: Iterable[str]) -> list[str]:
        """Ids of the articles that the given ones superseded (older texts of the same pages)."""
        sql = "SELECT id FROM articles WHERE superseded_by IN ({marks}) ORDER BY seq"
        return [r[0] for r in self._rows_in(sql, article_ids)]

    def story_versions(self, ref: str) -> list[StoryVersionInfo]:
        """The kept analyses of a story (id, prefix or alias), oldest first."""
        sid = self.get_story(ref).id
        with self._lock:
            rows = self.conn.execute(
                "SELECT version, analysed_at FROM story_versions WHERE story_id = ? ORDER BY version",
                (sid,)).fetchall()
        return [StoryVersionInfo(story=sid, version=r[0], analysed_at=r[1]) for r in rows]

    def story_version(self, story_id: str, version: int) -> Story:
        """One kept analysis of a story, as it was then."""
        with self._lock:
            row = self.conn.execute("SELECT data FROM story_versions WHERE story_id = ? AND version = ?",
                                    (story_id, int(version))).fetchone()
        if row is None:
            raise NotFound(f"story {story_id!r} has no version {version}"
                           " (list them with `storydesk changes STORY --json`)")
        return Story.from_dict(json.loads(_version_json(row[0])))

    # ------------------------------------------------------------------ state

    def get_state(self, key: str) -> bytes | None:
        with self._lock:
            row = self.conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return bytes(row[0]) if row else None

    def put_state(self, key: str, value: bytes) -> None:
        with self._lock, self.conn:
            self.conn.execute(
                "INSERT INTO state (key, value, updated_at) VALUES (?,?,?) ON CONFLICT(key) DO UPDATE"
                " SET value=excluded.value, updated_at=excluded.updated_at",
                (key, value, _now()),
            )

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def store_exists(data_dir: Path | str) -> bool:
    """Whether `data_dir` holds a store (without creating one)."""
    return (Path(data_dir) / DB_NAME).is_file()


def open_store(data_dir: Path | str, readonly: bool = False, create: bool = True) -> SqliteStore:
    """Open the store under `data_dir`, creating and migrating it if needed.

    `readonly` or `create=False`: a data directory that holds no store is a StoreError,
    never a new empty store, so a mistyped --data cannot pass for an empty one.
    """
    data_dir = Path(data_dir)
    path = data_dir / DB_NAME
    if (readonly or not create) and not path.exists():
        raise StoreError(f"no store at {path}: run `storydesk ingest` or `storydesk run` first,"
                         " or point --data (STORYDESK_DATA) at the directory that holds one")
    return SqliteStore(path, readonly=readonly)
