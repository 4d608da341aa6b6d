"""One exception tree for storydesk; the CLI maps it to exit codes in one place (cli.py).

    StorydeskError                 base: exit 1
    ├── UsageError                 bad arguments or options: exit 2
    ├── InputError                 one input cannot be read; ingest turns it into a Skip
    │   ├── TooLarge               over the size limit (settings.max_bytes)
    │   └── Unreadable             binary, undecodable, malformed beyond repair
    ├── StoreError                 the embedded store cannot be opened or migrated
    ├── NotFound                   no article or story with that id
    └── LLMError                   the optional abstractive endpoint failed or was unfaithful
"""

from __future__ import annotations


class StorydeskError(Exception):
    """Base of every error storydesk raises on purpose."""

    exit_code = 1


class UsageError(StorydeskError):
    """The user asked for something that cannot work as given."""

    exit_code = 2


class InputError(StorydeskError):
    """One input cannot be ingested. `reason` is the machine-readable skip reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class TooLarge(InputError):
    """The input is over the configured size limit."""


class Unreadable(InputError):
    """The input is binary, undecodable or malformed beyond repair."""


class StoreError(StorydeskError):
    """The store cannot be opened, migrated or written."""


class NotFound(StorydeskError):
    """No article or story has the given id (or id prefix)."""


class LLMError(StorydeskError):
    """The configured OpenAI-compatible endpoint failed or returned unusable output."""
