"""One table of settings: name, default, help. Stages take the one `Settings` object.

Every field but `trust` (read from the `outlets` file) can be set from the environment as
`STORYDESK_<NAME>` (upper case); the CLI sets the few it exposes as options. Constants that were
tuned say in a comment how they were measured.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from storydesk.trust import Trust, load_trust, trust_file


def default_data_dir() -> Path:
    """`$STORYDESK_DATA`, else the per-user data directory (e.g. ~/.local/share/storydesk)."""
    env = os.environ.get("STORYDESK_DATA")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("storydesk", appauthor=False))


@dataclass(frozen=True, slots=True)
class Settings:
    """Options for every stage. Defaults are what `storydesk run` uses."""

    data_dir: Path = field(default_factory=default_data_dir, metadata={"help": "store location"})
    # Inputs above this are skipped with reason "too-large": a news page is rarely over 2 MB,
    # and trafilatura's memory grows ~20x the page size.
    max_bytes: int = field(default=20_000_000, metadata={"help": "largest input file or record, bytes"})
    max_html_bytes: int = field(default=5_000_000, metadata={"help": "largest HTML page extracted"})
    # Hard wall-clock bound on one page's extraction (trafilatura has none of its own).
    extract_timeout_s: float = field(default=2.0, metadata={"help": "per-page extraction time limit"})
    brief_words: int = field(default=120, metadata={"help": "about how many words each brief has"})
    # One process by default, measured: bench/throughput.py --engines local --skip stages,ingest
    # on 9bdbd19 (this 2-core box, shared, load 5.4-5.9), N=1000: --workers 1 103.0 s wall, 79.1
    # CPU-s, 1.1 GB peak; --workers 2 138.1 s, 89.9 CPU-s, 2.3 GB (N=300: 43.6 s vs 53.4 s). A
    # pool costs each worker its own models and the parent the pickling (~11 CPU-s at N=1000), and
    # it only pays where cores are idle: at load 1.8-2.6 (d31f7d5) N=1000 --workers 1 took 82.4 s
    # and --workers 2 52.4 s. Kept at 1 until the whole test suite has run with a pool by default
    # (the CLI's own --workers default is 1 as well); `--workers N` / STORYDESK_WORKERS opt in.
    workers: int = field(default=1, metadata={"help": "processes for the per-article stages"})
    engine: str = field(default="local", metadata={"help": "'local' or 'dask'"})
    engine_address: str | None = field(default=None, metadata={"help": "dask scheduler address"})
    llm_url: str | None = field(default=None, metadata={"help": "OpenAI-compatible base URL"})
    llm_model: str | None = field(default=None, metadata={"help": "model name at llm_url"})
    llm_api_key: str | None = field(default=None, metadata={"help": "API key for llm_url"})
    embed: bool = field(default=True, metadata={"help": "use the packaged MiniLM embeddings"})
    # Outlet trust set by the user (issue 25, storydesk.trust): a TOML file that hides outlets or
    # weights them. None: `<data_dir>/outlets.toml` when it exists.
    outlets: Path | None = field(default=None, metadata={"help": "outlet trust settings file (TOML)"})
    # The rules read from that file, loaded when the Settings is made (None: load them), so a bad
    # file is reported before any work starts and the workers never read it.
    trust: Trust | None = field(default=None, metadata={"help": "outlet trust rules (from `outlets`)"})

    def __post_init__(self) -> None:
        if self.trust is None:
            path, required = trust_file(self.data_dir, self.outlets)
            object.__setattr__(self, "trust", load_trust(path, required=required))

    @property
    def outlet_trust(self) -> Trust:
        """The outlet trust rules in force (empty when no settings file is)."""
        assert self.trust is not None  # __post_init__ always loads them
        return self.trust

    def analysis_key(self) -> str:
        """The settings that shape a story's cross-check and brief, as one string.

        The store keeps it with each story, so a run asked for other settings (another
        --brief-words, another LLM) redoes the stories it touches instead of keeping stale ones.
        """
        key: dict[str, Any] = {"brief_words": self.brief_words, "embed": self.embed, "llm_url": self.llm_url,
                               "llm_model": self.llm_model}
        if self.outlet_trust:
            # only when set, so the stories of a store that never had trust settings stay current
            key["trust"] = self.outlet_trust.key()
        return json.dumps(key, sort_keys=True)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed; another data directory or outlets file reloads the
        trust rules (unless `trust` is given too)."""
        if ("data_dir" in changes or "outlets" in changes) and "trust" not in changes:
            changes["trust"] = None
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings from `STORYDESK_*` variables, then `overrides` (None values are ignored)."""
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = os.environ.get(f"STORYDESK_{f.name.upper()}")
            if raw is None or f.name in ("data_dir", "trust"):
                continue
            kind = type(f.default) if f.default is not dataclasses.MISSING else str
            if kind is bool:
                kwargs[f.name] = raw.lower() in ("1", "true", "yes")
            elif kind in (int, float):
                kwargs[f.name] = kind(raw)
            else:
                kwargs[f.name] = raw
        kwargs.update({k: v for k, v in overrides.items() if v is not None})
        if not kwargs.get("outlets"):
            kwargs.pop("outlets", None)  # STORYDESK_OUTLETS="" means "no file named", not "."
        for name in ("data_dir", "outlets"):
            if name in kwargs:
                kwargs[name] = Path(kwargs[name])
        return cls(**kwargs)
