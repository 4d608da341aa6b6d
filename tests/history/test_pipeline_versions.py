"""Versions through the real pipeline: a page whose new text moves to another story leaves the old one."""

from __future__ import annotations

from pathlib import Path

from storydesk_test_quake import VERSION_1, doc

import storydesk

REUSED = ("The city council of Arnor voted on Tuesday to build a new football stadium by the river. "
          "Councillors argued for hours about the cost, which the mayor put at forty million. "
          "Fans gathered outside the town hall and cheered when the vote passed. "
          "Construction will start next spring if the regional government approves the loan.")


def test_a_page_rewritten_into_another_story_leaves_its_old_story(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with storydesk.Desk(data_dir) as desk:
        desk.ingest(VERSION_1)
        desk.cluster()
        (quake,) = [r["id"] for r in desk.stories()]
        rewritten = {**doc("Daily Planet", 12), "title": "Arnor votes for a stadium", "text": REUSED}
        desk.ingest([rewritten])
        desk.cluster()
        outlets = sorted(a.outlet or "" for a in desk.story(quake).articles)
        assert outlets == ["Evening Star", "Morning Post"]  # the page's old text left the quake story
        others = [r["id"] for r in desk.stories() if r["id"] != quake]
        assert [[a.outlet for a in desk.story(s).articles] for s in others] == [["Daily Planet"]]
