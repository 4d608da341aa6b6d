"""Stories: streaming event clustering (stories.py) and syndicated-copy detection (syndication.py).

The pipeline loads a `StoryIndex` from the store, `add()`s each batch of cleaned articles, saves
`dump()` back, and builds each story's `Story` record with `describe()`.
"""

from storydesk.cluster.stories import StoryIndex, describe

__all__ = ["StoryIndex", "describe"]
