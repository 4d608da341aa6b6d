"""Texts written for the thread tests (tests/cluster/test_thread_map.py, tests/web/test_threads.py):
a quake on Qeshm island, a follow-up three weeks later (a new story of the same thread) and an
unrelated flood. Loaded by tests/conftest.py as `storydesk_test_threads`."""

from __future__ import annotations

from storydesk.records import Article, content_id

QUAKE = ("A strong earthquake struck Qeshm island in southern Iran's Hormozgan province on Sunday, killing at "
         "least 13 people and injuring dozens, Iranian state media said. The magnitude 5.9 quake destroyed homes "
         "in villages across the island in the Strait of Hormuz, and rescue teams from Bandar Abbas searched the "
         "rubble through the night.")
FOLLOW_UP = ("Three weeks after a strong earthquake struck Qeshm island in southern Iran's Hormozgan province, "
             "killing 13 people, families in the island's villages are still living in tents, Iranian state media "
             "said. Rescue teams from Bandar Abbas have cleared the rubble and the magnitude 5.9 quake's damage to "
             "homes is being assessed.")
FLOOD = ("Floods across Pakistan's Sindh province have killed more than 1,100 people since June, the National "
         "Disaster Management Authority said, as the army rescued families near Sukkur.")


def art(text: str, title: str, outlet: str, published: str) -> Article:
    """An English article whose id is derived from all it says."""
    return Article(id=content_id(outlet, title, text, published), outlet=outlet, title=title, url=None,
                   published=published, language="en", raw_text=text, text=text)
