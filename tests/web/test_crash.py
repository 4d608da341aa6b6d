"""The web app over a store whose writer was killed (SIGKILL) in the middle of a write transaction.

The killed process leaves its -wal and -shm files behind, with uncommitted pages spilled into the
WAL. The app's read-only connections must show exactly the last committed state, and the next
writer must be able to take the lock and commit.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from storydesk.store.sqlite import open_store
from storydesk.web import create_app

# A writer that changes everything and is killed before it commits. cache_size=1 makes SQLite
# spill the uncommitted pages into the WAL file, so readers must skip pages that are there.
WRITER = """
import sys, time
from storydesk.store.sqlite import open_store
store = open_store(sys.argv[1])
store.conn.execute("PRAGMA cache_size = 1")
store.conn.execute("BEGIN IMMEDIATE")
store.conn.execute("UPDATE stories SET title = 'half-written'")
store.conn.execute("DELETE FROM articles")
print("ready", flush=True)
time.sleep(120)
"""


def snapshot(client: TestClient) -> tuple[list[tuple[str, str]], list[str]]:
    stories = client.get("/api/stories").json()
    articles = client.get("/api/articles", params={"limit": 1000}).json()
    return sorted((s["id"], s["title"]) for s in stories), sorted(a["id"] for a in articles)


def test_app_after_a_writer_is_killed_mid_transaction(filled_data: Path) -> None:
    with TestClient(create_app(filled_data)) as c:
        before = snapshot(c)
    assert before[0] and before[1]
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(filled_data)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", proc.stderr
        wal = filled_data / "storydesk.db-wal"
        assert wal.exists() and wal.stat().st_size > 0  # uncommitted pages are in the WAL
        with TestClient(create_app(filled_data)) as c:
            assert snapshot(c) == before  # while the writer holds its transaction
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with TestClient(create_app(filled_data)) as c:
        assert snapshot(c) == before  # after the kill: the last committed state, nothing half-written
        sid, title = before[0][0]
        assert c.get(f"/stories/{sid}").status_code == 200
    # the lock died with the process: the next writer commits, and readers see it
    with open_store(filled_data) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        store.put_stories([dataclasses.replace(store.get_story(sid), title=title + " (updated)")])
    with TestClient(create_app(filled_data)) as c:
        assert c.get(f"/api/stories/{sid}").json()["title"] == title + " (updated)"
        assert snapshot(c)[1] == before[1]
