"""`storydesk watch`: a real subprocess against a feed server on 127.0.0.1 picks up a new entry in
the first cycle that fetches it, and SIGTERM mid-cycle leaves a sound store whose unfinished work
the next run completes. The library half (storydesk.watch) is tested in-process beside it."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from storydesk_test_feeds import FeedServer, entry

from storydesk.api import Desk
from storydesk.cli import main
from storydesk.settings import Settings
from storydesk.store import open_store
from storydesk.watch import StopFlag, parse_every, run_cycle, unfinished_stories
from storydesk.watch.cycle import WatchState

FIRST = (entry(1, "Kestrel dam bursts, 12 dead"), entry(2, "Flooding after Kestrel dam collapse", dead=14))
LATER = entry(3, "Kestrel dam inquiry opens as toll rises", dead=15)
# A cold subprocess imports storydesk and loads spaCy and MiniLM before its first cycle ends
# (~20 s alone on the shared 2-core box); generous, as the box may be busy.
WAIT_S = 240


class Watcher:
    """`storydesk watch ... --jsonl` in a subprocess, its stdout lines read by a thread."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "storydesk", "watch", *args, "--jsonl"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def report(self) -> dict:  # type: ignore[type-arg]
        try:
            return json.loads(self.lines.get(timeout=WAIT_S))  # type: ignore[no-any-return]
        except queue.Empty:
            self.proc.kill()
            raise AssertionError(f"no cycle report; stderr: {self.proc.communicate()[1][-3000:]}") from None

    def finish(self) -> tuple[int, str]:
        try:
            _, err = self.proc.communicate(timeout=WAIT_S)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        return self.proc.returncode, err


def stored_articles(data: Path) -> list[dict]:  # type: ignore[type-arg]
    with open_store(data, readonly=True) as store:
        return store.list_articles()


@pytest.mark.slow
def test_watch_picks_up_a_new_entry_in_the_first_cycle_that_fetches_it(feed_server: FeedServer,
                                                                       tmp_path: Path) -> None:
    data = tmp_path / "data"
    feed_server.publish(*FIRST)
    w = Watcher(feed_server.url, "--every", "1s", "--data", str(data))
    first = w.report()
    assert first["cycle"] == 1 and first["interrupted"] is None
    assert sorted(a["title"] for a in first["new_articles"]) == sorted(
        ["Kestrel dam bursts, 12 dead", "Flooding after Kestrel dam collapse"])
    assert [s["status"] for s in first["stories"]] == ["new"]
    feed_server.publish(*FIRST, LATER)
    while True:
        rep = w.report()
        if rep["new_articles"]:
            break
        assert rep["stories"] == [] and rep["interrupted"] is None
    # the cycle that reports it is the first whose fetch got the new feed (one fetch per cycle)
    assert rep["cycle"] == feed_server.served.index(2) + 1
    assert [a["title"] for a in rep["new_articles"]] == ["Kestrel dam inquiry opens as toll rises"]
    assert rep["stories"] and {s["status"] for s in rep["stories"]} <= {"new", "updated"}
    w.proc.send_signal(signal.SIGTERM)
    code, err = w.finish()
    assert code == 0, err
    assert "stopped on SIGTERM" in err and "Traceback" not in err
    rows = stored_articles(data)
    assert len(rows) == 3 and all(r["story"] for r in rows)


@pytest.mark.slow
def test_sigterm_mid_cycle_keeps_the_store_sound_and_the_next_run_completes_it(feed_server: FeedServer,
                                                                               tmp_path: Path) -> None:
    data = tmp_path / "data"
    feed_server.publish(*FIRST)
    release = feed_server.gate()
    w = Watcher(feed_server.url, "--once", "--data", str(data))
    assert feed_server.requested.wait(WAIT_S), "the watcher never fetched the feed"
    # SIGTERM while the cycle is fetching its source: that step ends, the rest waits
    w.proc.send_signal(signal.SIGTERM)
    threading.Timer(0.5, release.set).start()
    rep = w.report()
    code, err = w.finish()
    assert code == 0, err
    assert "stopped on SIGTERM" in err
    assert rep["interrupted"] == "cluster"
    assert len(rep["new_articles"]) == 2 and rep["stories"] == []
    with sqlite3.connect(data / "storydesk.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = stored_articles(data)
    assert len(rows) == 2 and not any(r["story"] for r in rows)

    again = Watcher(feed_server.url, "--once", "--data", str(data))
    rep = again.report()
    code, err = again.finish()
    assert code == 0, err
    assert rep["interrupted"] is None and rep["new_articles"] == []
    assert rep["resumed_articles"] == 2
    assert rep["stories"] and {s["status"] for s in rep["stories"]} == {"new"}
    assert sum(s["article_count"] for s in rep["stories"]) == 2
    rows = stored_articles(data)
    assert len(rows) == 2 and all(r["story"] for r in rows)
    with open_store(data, readonly=True) as store:
        assert unfinished_stories(store) == set()


STORY_TEXT = ("Officials in {town} said on Tuesday that {n} people were hurt when a footbridge over the "
              "canal gave way during the morning rush. The council closed the towpath and engineers began "
              "an inspection of the other {m} bridges in the district, a spokesperson said.\n")
FOOTBRIDGE = "Footbridge collapse hurts commuters\n\n" + STORY_TEXT.format(town="Lowmoor", n=9, m=14)


def test_a_cycle_completes_stories_clustered_but_never_analysed(tmp_path: Path) -> None:
    """The state a stop between clustering and analysis leaves: the next cycle analyses them."""
    from storydesk.pipeline import cluster, ingest

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(FOOTBRIDGE)
    settings = Settings(data_dir=tmp_path / "data")
    with Desk(settings.data_dir, settings) as desk:
        res = ingest([inbox], settings, desk.store)
        touched = cluster(desk.store, settings, res.seen)
        assert unfinished_stories(desk.store) == touched != set()
        report = run_cycle(desk, [], StopFlag())
        assert report.interrupted is None and report.new_articles == ()
        assert [(s.id, s.status, s.article_count) for s in report.stories] == [(sid, "new", 1) for sid in touched]
        assert unfinished_stories(desk.store) == set()
        assert desk.story(next(iter(touched))).brief


def test_a_story_with_a_hidden_outlet_is_finished_after_one_cycle(tmp_path: Path, seeds_dir: Path) -> None:
    """A hidden outlet's article stays in the story's members but not in its stored count: the
    story must still count as analysed, or every cycle would analyse it again."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "outlets.toml").write_text('[outlets."Middle East Eye"]\nhidden = true\n')
    settings = Settings(data_dir=data)
    with Desk(data, settings) as desk:
        one = run_cycle(desk, [str(seeds_dir)], StopFlag(), cycle=1)
        assert [(s.status, s.article_count) for s in one.stories] == [("new", 4)]
        assert unfinished_stories(desk.store) == set()
        assert run_cycle(desk, [], StopFlag(), cycle=2).stories == ()


def test_a_watched_folder_reads_only_new_or_changed_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(FOOTBRIDGE)
    (inbox / ".hidden.txt").write_text("Not read\n\n" + STORY_TEXT.format(town="Nowhere", n=1, m=1))
    settings = Settings(data_dir=tmp_path / "data")
    state = WatchState()
    with Desk(settings.data_dir, settings) as desk:
        one = run_cycle(desk, [str(inbox)], StopFlag(), cycle=1, state=state)
        assert [a.title for a in one.new_articles] == ["Footbridge collapse hurts commuters"]
        assert list(state.files) == [str(inbox / "a.txt")]
        (inbox / "b.txt").write_text("Second bridge shut after collapse\n\n"
                                     + STORY_TEXT.format(town="Highmoor", n=3, m=20))
        two = run_cycle(desk, [str(inbox)], StopFlag(), cycle=2, state=state)
        assert [a.title for a in two.new_articles] == ["Second bridge shut after collapse"]
        assert sorted(state.files) == [str(inbox / "a.txt"), str(inbox / "b.txt")]
        three = run_cycle(desk, [str(inbox)], StopFlag(), cycle=3, state=state)
        assert (three.new_articles, three.stories, three.interrupted) == ((), (), None)
        assert three.lines()[0].endswith("nothing new")


def test_a_stop_requested_before_a_cycle_does_nothing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Footbridge collapse\n\n" + STORY_TEXT.format(town="Lowmoor", n=9, m=14))
    stop = StopFlag()
    stop.request()
    with Desk(tmp_path / "data") as desk:
        report = run_cycle(desk, [str(inbox)], stop)
        assert report.interrupted == "ingest" and report.new_articles == ()
        assert desk.store.count_articles() == 0


def test_sigterm_sets_the_flag_wakes_a_sleep_and_a_second_one_stops_at_once() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with StopFlag.installed() as stop:
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
        assert stop.sleep(30) is False
        assert stop.requested and stop.signal_name == "SIGTERM"
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the handler runs here at the latest
    assert signal.getsignal(signal.SIGTERM) == before


@pytest.mark.parametrize(("text", "seconds"), [("15m", 900.0), ("90s", 90.0), ("2h", 7200.0), ("30", 30.0),
                                               ("1.5 min", 90.0)])
def test_parse_every(text: str, seconds: float) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["soon", "", "0s", "0.5", "-5m", "15 parsecs"])
def test_a_bad_every_is_a_usage_error(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError):
        parse_every(text)
    with pytest.raises(SystemExit) as exc:
        main(["watch", str(tmp_path), "--every", text, "--once", "--data", str(tmp_path / "data")])
    assert exc.value.code == 2
    assert "--every" in capsys.readouterr().err


def test_a_missing_source_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["watch", str(tmp_path / "nope"), "--once", "--data", str(tmp_path / "data")])
    assert exc.value.code == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_an_edited_page_updates_its_story_once(tmp_path: Path) -> None:
    """A page re-read with changed text is a new version: its story is updated in that cycle,
    and later cycles leave it alone (the older text no longer counts as one of its articles)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    page = inbox / "page.jsonl"

    def publish(n: int) -> None:
        page.write_text(json.dumps({"url": "https://courier.example/bridge", "outlet": "Courier",
                                    "title": "Footbridge collapse", "text": STORY_TEXT.format(town="Lowmoor", n=n,
                                                                                              m=14)}) + "\n")

    publish(9)
    state = WatchState()
    with Desk(tmp_path / "data") as desk:
        one = run_cycle(desk, [str(inbox)], StopFlag(), cycle=1, state=state)
        assert [s.status for s in one.stories] == ["new"]
        publish(11)
        os.utime(page, ns=(page.stat().st_mtime_ns + 10**9,) * 2)  # a clock-tick apart, whatever the fs
        two = run_cycle(desk, [str(inbox)], StopFlag(), cycle=2, state=state)
        assert len(two.new_articles) == 1
        assert [(s.status, s.article_count) for s in two.stories] == [("updated", 1)]
        assert "11 people were hurt" in desk.story(two.stories[0].id).brief[0].text
        page.touch()
        os.utime(page, ns=(page.stat().st_mtime_ns + 2 * 10**9,) * 2)
        three = run_cycle(desk, [str(inbox)], StopFlag(), cycle=3, state=state)
        assert (three.new_articles, three.stories) == ((), ())
