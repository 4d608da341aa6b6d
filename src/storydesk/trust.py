"""Outlet trust set by the user: hide an outlet, or give it a weight (issue 25).

In: a TOML settings file, `--outlets FILE` / `STORYDESK_OUTLETS`, else `<data dir>/outlets.toml`
when it exists:

    low_trust_below = 0.5          # optional; an outlet weighted under this is "low trust"

    [outlets."Middle East Eye"]
    hidden = true                  # never supports a brief sentence, never counted in the facts

    [outlets."example.com"]        # a display name or a registered domain, as `storydesk outlets` lists
    weight = 0.3                   # 0..1, default 1

Out: a frozen `Trust` that `Settings` carries (and `Settings.analysis_key()` includes, so a changed
file re-analyses the stories a run touches). The one idea: hiding acts on a story's *inputs* (the
pipeline drops hidden outlets' articles before describe, cross-check and brief; the store, `articles`
and `show` keep them), and low trust is a pure post-pass over the finished story's fact table.

Names match the way the project names outlets (`storydesk.outlets`): an article matches a line when
its displayed outlet or its URL's registered domain equals the line's name, ignoring case and
spacing; a URL or bare host written as a name stands for its registered domain.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storydesk.errors import UsageError
from storydesk.outlets import display_outlet, domain_name, outlet_name
from storydesk.records import Article, Assignment, Fact, OutletSetting, Story, TrustNote

# The file looked for in the data directory when no other is named.
DEFAULT_FILE = "outlets.toml"
# Weight under which an outlet counts as low trust, unless the file says otherwise: below half
# the default weight of 1 (a judgement, not tuned: no data set labels outlet trust).
LOW_TRUST_BELOW = 0.5
_TOP_KEYS = frozenset({"low_trust_below", "outlets"})
_OUTLET_KEYS = frozenset({"weight", "hidden"})


def outlet_key(name: str | None) -> str:
    """The form names are compared in: an outlet name as `outlet_name` reads it (a URL or bare
    host becomes its registered domain), spacing collapsed, case folded.

    Example:
        >>> outlet_key("  https://www.Example.co.uk/news "), outlet_key("Middle  East Eye")
        ('example.co.uk', 'middle east eye')
    """
    text = " ".join((name or "").split())
    return (outlet_name(text) or text).casefold()


def article_keys(outlet: str | None, url: str | None, article_id: str | None = None) -> frozenset[str]:
    """Every name a settings line may use for this article: its displayed outlet and its domain."""
    keys = {outlet_key(display_outlet(outlet, url, article_id))}
    domain = domain_name(url)
    if domain:
        keys.add(domain.casefold())
    return frozenset(keys)


@dataclass(frozen=True, slots=True)
class Trust:
    """The user's outlet settings: one `OutletSetting` per named outlet, and the low-trust line.

    Empty (no outlets) when no settings file is in force; then nothing changes anywhere.
    """

    outlets: tuple[OutletSetting, ...] = ()
    low_trust_below: float = LOW_TRUST_BELOW
    source: str | None = None  # the file read, for messages (not part of the analysis key)
    _by_key: Mapping[str, OutletSetting] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {outlet_key(o.outlet): o for o in self.outlets})

    def __bool__(self) -> bool:
        return bool(self.outlets)

    def setting_for(self, outlet: str | None, url: str | None = None,
                    article_id: str | None = None) -> OutletSetting | None:
        """The line naming this article's outlet (by displayed name first, then domain), if any."""
        if not self._by_key:
            return None
        display = outlet_key(display_outlet(outlet, url, article_id))
        if display in self._by_key:
            return self._by_key[display]
        for k in sorted(article_keys(outlet, url, article_id)):
            if k in self._by_key:
                return self._by_key[k]
        return None

    def hidden(self, a: Article) -> bool:
        """True when the user hid this article's outlet."""
        s = self.setting_for(a.outlet, a.url, a.id)
        return s is not None and s.hidden

    def weight(self, a: Article) -> float:
        """The article's outlet weight (1 unless the settings say otherwise)."""
        s = self.setting_for(a.outlet, a.url, a.id)
        return s.weight if s is not None else 1.0

    def low_trust(self, a: Article) -> bool:
        """True when the article's outlet is weighted under `low_trust_below`."""
        return self.weight(a) < self.low_trust_below

    def key(self) -> dict[str, Any]:
        """What of these settings shapes an analysis, as plain JSON (for `Settings.analysis_key`)."""
        return {"low_trust_below": self.low_trust_below,
                "outlets": sorted([outlet_key(o.outlet), o.weight, o.hidden] for o in self.outlets)}

    def note(self, hidden_articles: Iterable[str] = ()) -> TrustNote:
        """What a story records of the settings it was analysed under."""
        return TrustNote(low_trust_below=self.low_trust_below, outlets=self.outlets,
                         hidden_articles=tuple(hidden_articles))


NO_TRUST = Trust()


# ---------------------------------------------------------------------------- the settings file


def trust_file(data_dir: Path, outlets: Path | str | None) -> tuple[Path, bool]:
    """(the settings file to read, whether it must exist): `outlets` when given, else the data
    directory's outlets.toml (read only when present)."""
    if outlets is not None and str(outlets).strip():
        return Path(outlets).expanduser(), True
    return Path(data_dir) / DEFAULT_FILE, False


def load_trust(path: Path, required: bool = True) -> Trust:
    """The `Trust` a settings file states; `NO_TRUST` for a missing optional file.

    Raises:
        UsageError: the file is missing (when required), unreadable, not TOML, or states
            something this format does not have; the message names the file, what is wrong and
            what is expected.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if not required:
            return NO_TRUST
        raise UsageError(f"outlet settings file {path} does not exist (set by --outlets or "
                         "STORYDESK_OUTLETS)") from None
    except IsADirectoryError:
        raise UsageError(f"outlet settings file {path} is a directory, not a TOML file") from None
    except OSError as exc:
        raise UsageError(f"outlet settings file {path} cannot be read: {exc.strerror or exc}") from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"outlet settings file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"outlet settings file {path} is not valid TOML: {exc}") from None
    return parse_trust(doc, str(path))


def _number(value: object, where: str, low: float, high: float) -> float:
    # bool is an int in Python: `weight = true` is a mistake, not 1
    # a TOML integer has no size limit: one too big for a float is out of range, not a crash
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1e300:
        raise UsageError(f"{where} must be from {low:g} to {high:g}, not a {len(str(abs(value)))}-digit number")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UsageError(f"{where} must be a number from {low:g} to {high:g}, not {value!r}")
    if not low <= value <= high:
        raise UsageError(f"{where} must be from {low:g} to {high:g}, not {value:g}")
    return float(value)


def parse_trust(doc: Mapping[str, Any], source: str = "outlet settings") -> Trust:
    """A `Trust` from a parsed settings document (see the module doc for its shape)."""
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise UsageError(f"{source}: unknown setting {', '.join(map(repr, unknown))}; expected "
                         "low_trust_below and [outlets.\"NAME\"] tables")
    below = _number(doc.get("low_trust_below", LOW_TRUST_BELOW), f"{source}: low_trust_below", 0.0, 1.0)
    table = doc.get("outlets", {})
    if not isinstance(table, dict):
        raise UsageError(f"{source}: outlets must be tables such as [outlets.\"Example News\"], "
                         f"not {type(table).__name__}")
    rules: list[OutletSetting] = []
    seen: dict[str, str] = {}
    for name, spec in table.items():
        where = f"{source}: outlet {name!r}"
        key = outlet_key(name)
        if not key:
            raise UsageError(f"{source}: an outlet name is empty")
        if key in seen:
            raise UsageError(f"{where} names the same outlet as {seen[key]!r}; keep one of them")
        seen[key] = name
        if not isinstance(spec, dict):
            raise UsageError(f"{where} must be a table with weight = 0..1 and/or hidden = true, "
                             f"not {spec!r}")
        bad = sorted(set(spec) - _OUTLET_KEYS)
        if bad:
            raise UsageError(f"{where}: unknown key {', '.join(map(repr, bad))}; expected weight or hidden")
        weight = _number(spec.get("weight", 1.0), f"{where}: weight", 0.0, 1.0)
        hidden = spec.get("hidden", False)
        if not isinstance(hidden, bool):
            raise UsageError(f"{where}: hidden must be true or false, not {hidden!r}")
        rules.append(OutletSetting(outlet=" ".join(name.split()), weight=weight, hidden=hidden))
    return Trust(outlets=tuple(rules), low_trust_below=below, source=source)


# ---------------------------------------------------------------------------- a story's analysis


@dataclass(frozen=True, slots=True)
class TrustedInputs:
    """A story's inputs with hidden outlets left out, and how to finish the story afterwards."""

    articles: list[Article]
    assignments: dict[str, Assignment]
    hidden: tuple[str, ...]
    trust: Trust

    def finish(self, story: Story) -> Story:
        """The analysed story with low-trust facts marked and the settings in force noted."""
        if not self.trust:
            return story
        return dataclasses.replace(story, facts=mark_low_trust(story.facts, self.articles, self.trust),
                                   trust=self.trust.note(self.hidden))


def trusted_inputs(arts: Sequence[Article], assignments: Mapping[str, Assignment], trust: Trust) -> TrustedInputs:
    """The story's articles without those of hidden outlets, and assignments to match.

    A visible copy of a hidden original would otherwise point at an article the story no longer
    holds: the earliest visible copy (by published time, then id) stands in as the original and
    the others become its copies, so they still count as one independent source.
    """
    if not trust:
        return TrustedInputs(list(arts), dict(assignments), (), trust)
    hidden = {a.id for a in arts if trust.hidden(a)}
    kept = [a for a in arts if a.id not in hidden]
    out = {k: v for k, v in assignments.items() if k not in hidden}
    orphans: dict[str, list[Article]] = {}
    for a in kept:
        asg = out.get(a.id)
        if asg is not None and asg.syndicated_from in hidden:
            orphans.setdefault(asg.syndicated_from, []).append(a)
    for copies in orphans.values():
        copies.sort(key=lambda a: (a.published is None, a.published or "", a.id))
        lead = copies[0].id
        for k, a in enumerate(copies):
            out[a.id] = dataclasses.replace(out[a.id], syndicated_from=None if k == 0 else lead)
    return TrustedInputs(kept, out, tuple(a.id for a in arts if a.id in hidden), trust)


def mark_low_trust(facts: Sequence[Fact], articles: Sequence[Article], trust: Trust) -> tuple[Fact, ...]:
    """`facts` with `low_trust=True` on each row that only low-trust outlets report.

    A cell is low trust when every article it cites is from a low-trust outlet (a trusted outlet
    that republished the text reports it too); an article not among `articles` counts as trusted,
    so nothing is marked on missing information.
    """
    low = {a.id for a in articles if trust.low_trust(a)}
    out = []
    for f in facts:
        marked = bool(f.cells) and all(c.sources and all(s in low for s in c.sources) for c in f.cells)
        out.append(dataclasses.replace(f, low_trust=True if marked else None))
    return tuple(out)


__all__ = ["DEFAULT_FILE", "LOW_TRUST_BELOW", "NO_TRUST", "Trust", "TrustedInputs", "article_keys", "load_trust",
           "mark_low_trust", "outlet_key", "parse_trust", "trust_file", "trusted_inputs"]
