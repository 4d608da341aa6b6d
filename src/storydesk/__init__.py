"""storydesk: many outlets' reports of the same events in, one cross-checked, cited story out.

Stages, each a subpackage: ingest -> clean -> cluster -> crosscheck -> brief -> report, over an
embedded store; `storydesk.pipeline.run` wires them; `storydesk.cli` is the command line.

From Python: `storydesk.analyse(documents)` returns the stories of some documents, in memory;
`storydesk.Desk(path)` ingests into, clusters and reads a store on disk (storydesk/api.py).
"""

from storydesk.api import Desk, Document, analyse
from storydesk.records import (
    Article,
    Assignment,
    BriefSentence,
    Claim,
    CrossCheck,
    Discrepancy,
    DiscrepancyValue,
    Entity,
    Exclusive,
    Passage,
    Provenance,
    Quote,
    RawDocument,
    Removed,
    RunSummary,
    Sentence,
    Skip,
    Story,
    StoryArticle,
    TimelineEvent,
)
from storydesk.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Assignment",
    "BriefSentence",
    "Claim",
    "CrossCheck",
    "Desk",
    "Discrepancy",
    "DiscrepancyValue",
    "Document",
    "Entity",
    "Exclusive",
    "Passage",
    "Provenance",
    "Quote",
    "RawDocument",
    "Removed",
    "RunSummary",
    "Sentence",
    "Settings",
    "Skip",
    "Story",
    "StoryArticle",
    "TimelineEvent",
    "__version__",
    "analyse",
]
