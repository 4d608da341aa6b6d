"""The `storydesk` command line: parse, call one library function, format.

Results go to stdout (a rich table for people, exactly one JSON document with --json); progress,
skips and errors go to stderr, never wrapped (a path split over two lines cannot be copied).
Exit codes (../CONTRACT.md): 0 done, 1 failed, 2 bad usage, 3 finished but some inputs were
skipped. `main()` maps the exception tree of errors.py to them. Nothing surprising: an input path
that does not exist is a usage error before anything runs, read commands refuse a data directory
that holds no store (exit 1, never a new empty store), and options given win over stored state.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from storydesk import __version__
from storydesk.errors import StorydeskError, UsageError
from storydesk.ingest.titles import shorten
from storydesk.outlets import display_outlet, shown_row
from storydesk.records import Skip
from storydesk.report.html import plural
from storydesk.settings import Settings, default_data_dir

if TYPE_CHECKING:
    from storydesk.history import StoryChanges

app = typer.Typer(
    name="storydesk",
    help=(
        "Turn many outlets' reports of the same events into one cross-checked story.\n\n"
        "Ingest text, HTML, JSONL, WARC and RSS/Atom; strip page chrome (with an audit); group articles "
        "into stories and spot syndicated copies; align what outlets say, flag where they disagree; write "
        "a brief whose every sentence cites its sources.\n\n"
        "Example: storydesk run ../shared/corpus/seeds --out out/"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

out_console = Console(soft_wrap=True)
# soft_wrap: without a terminal rich wraps at 80 columns, which split long file names in two
err_console = Console(stderr=True, soft_wrap=True)
# Titles in the `articles` and `stories` tables are cut to this, on a word with "…" (`shorten`),
# so a row stays on one line of a wide terminal beside its id, outlet and dates.
TITLE_CHARS = 70

# ------------------------------------------------------------------ shared options (defined once)

DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="Data directory of the store (env STORYDESK_DATA; default: the per-user data dir).",
                 show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or log lines on stderr.")]
IdsOpt = Annotated[bool, typer.Option("--ids", help="Print only the ids, one a line (for scripts and $(...)).")]


def _settings(data: Path | None, **overrides: Any) -> Settings:
    return Settings.from_env(data_dir=data or default_data_dir(), **overrides)


def _check_inputs(paths: Sequence[str]) -> None:
    """Refuse, before anything runs, a local input path that does not exist (URLs are fetched later).

    A mistyped path used to run the whole job on nothing and write an empty report.
    """
    missing = [p for p in paths if not p.startswith(("http://", "https://")) and not Path(p).exists()]
    if missing:
        names = ", ".join(missing)
        raise UsageError(f"no such file or directory: {names} (give files, directories, feed URLs or archives)")


def _print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


def _print_ids(rows: list[dict[str, Any]]) -> None:
    sys.stdout.write("".join(f"{r['id']}\n" for r in rows))


class RichProgress:
    """The pipeline's Progress on stderr: rich bars on a terminal, plain lines otherwise.

    Without a terminal (a log file, CI, `2> run.log`) each stage prints a line when it starts,
    one every `every_s` seconds with its count and rate, and one when it ends, so a long run
    shows it is moving. `--quiet` prints none of them (skips are still reported).
    """

    def __init__(self, quiet: bool, every_s: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.enabled = not quiet and err_console.is_terminal
        self.lines = not quiet and not err_console.is_terminal
        self.quiet = quiet
        self.skips: list[Skip] = []
        self.every_s = every_s
        self.clock = clock
        self._bar: Progress | None = None
        self._task: Any = None
        self._name: str | None = None
        self._total: int | None = None
        self._done = 0
        self._started = self._printed = 0.0
        if self.enabled:
            self._bar = Progress(
                SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                MofNCompleteColumn(), TimeElapsedColumn(), console=err_console, transient=False,
            )
            self._bar.start()

    def _line(self, text: str) -> None:
        err_console.print(escape(text), highlight=False)

    def _count(self) -> str:
        took = max(self.clock() - self._started, 1e-9)
        if not self._done and self._total is None:  # a stage that counts nothing (writing reports)
            return f"in {took:,.1f} s"
        done = f"{self._done:,}" + (f" of {self._total:,}" if self._total is not None else "")
        return f"{done} in {took:,.1f} s ({self._done / took:,.1f}/s)"

    def _end_stage(self) -> None:
        if self.lines and self._name is not None:
            count = self._count()
            self._line(f"{self._name}: done{' ' if count.startswith('in ') else ', '}{count}")
        self._name = None

    def stage(self, name: str, total: int | None = None) -> None:
        if self._bar is not None:
            if self._task is not None:
                t = self._bar.tasks[-1]
                self._bar.update(self._task, total=t.completed or 1, completed=t.completed or 1)
            self._task = self._bar.add_task(name, total=total)
        elif self.lines:
            self._end_stage()
            self._name, self._total, self._done = name, total, 0
            self._started = self._printed = self.clock()
            self._line(f"{name}: started" + (f", {total:,} to do" if total is not None else ""))

    def advance(self, n: int = 1) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, n)
        elif self.lines and self._name is not None:
            self._done += n
            if self.clock() - self._printed >= self.every_s:
                self._printed = self.clock()
                self._line(f"{self._name}: {self._count()}")

    def skipped(self, skip: Skip) -> None:
        # Skips are always reported, even with --quiet: a dropped input must never go unnoticed.
        self.skips.append(skip)
        err_console.print(f"[yellow]{escape(skip.message())}[/yellow]", highlight=False)

    def close(self) -> None:
        self._end_stage()
        if self._bar is not None:
            if self._task is not None:
                t = self._bar.tasks[-1]
                self._bar.update(self._task, total=t.completed or 1, completed=t.completed or 1)
            self._bar.stop()


def _open(settings: Settings, create: bool = True) -> Any:
    """The store under --data. `create=False` (read commands): a directory without one is an
    error (exit 1, "no store at ..."), never a new empty store that a mistyped --data would hide."""
    from storydesk.store import open_store

    return open_store(settings.data_dir, create=create)


# ------------------------------------------------------------------ commands


@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, feed URLs or WARC archives.",
                                               show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for stories.json, brief.md, report.html.")],
    brief_words: Annotated[int, typer.Option("--brief-words", min=20, max=2000,
                                             help="About how many words each story's brief has.")] = 120,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes for the per-article stages.")] = 1,
    engine: Annotated[str, typer.Option("--engine", help="'local' (default) or 'dask'.")] = "local",
    address: Annotated[str | None, typer.Option(
        "--address", help="Dask scheduler address (tcp://host:port); none: a local cluster on 127.0.0.1.")] = None,
    data: DataOpt = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> int:
    """Run the main job: ingest, clean, cluster, cross-check, brief, and write the reports.

    Reports cover every story that holds an article from PATHS. Stories stored by an earlier run
    with other settings (another --brief-words) are cross-checked and briefed again.

    Example: storydesk run ../shared/corpus/seeds --out out/ --brief-words 150
    """
    from storydesk.pipeline import run as run_pipeline

    _check_inputs(paths)
    if engine not in ("local", "dask"):
        raise typer.BadParameter("use 'local' or 'dask'", param_hint="--engine")
    settings = _settings(data, brief_words=brief_words, workers=workers, engine=engine, engine_address=address)
    progress = RichProgress(quiet)
    try:
        summary = run_pipeline(paths, out, settings, progress)
    finally:
        progress.close()
    if json_out:
        _print_json(summary.to_dict())
    else:
        out_console.print(
            f"{plural(summary.ingested, 'article')} ({summary.new} new), "
            f"{plural(summary.stories, 'story', 'stories')}, {len(summary.skipped)} skipped."
        )
        out_console.print(f"Report: {Path(out) / 'report.html'}  (also stories.json, brief.md)")
    return 3 if summary.skipped else 0


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, feed URLs or WARC archives.",
                                               show_default=False)],
    data: DataOpt = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> int:
    """Add files, directories, feeds or archives to the store (idempotent: same content, same article).

    Example: storydesk ingest ../shared/corpus/seeds news.jsonl crawl.warc.gz
    """
    from storydesk.pipeline import ingest as ingest_paths

    _check_inputs(paths)
    settings = _settings(data)
    progress = RichProgress(quiet)
    with _open(settings) as store:
        try:
            res = ingest_paths(paths, settings, store, progress)
        finally:
            progress.close()
    if json_out:
        _print_json({"seen": res.seen, "new": res.new, "skipped": [s.to_dict() for s in res.skipped]})
    else:
        out_console.print(f"{plural(len(res.seen), 'article')} read, {len(res.new)} new, {len(res.skipped)} skipped.")
    return 3 if res.skipped else 0


@app.command()
def cluster(
    data: DataOpt = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> int:
    """Group stored articles not yet in a story into stories, then cross-check and brief those stories.

    Streaming: existing stories keep their ids; new articles join them or open new ones.

    Example: storydesk ingest new-batch/ && storydesk cluster
    """
    from storydesk.pipeline import analyse
    from storydesk.pipeline import cluster as cluster_articles

    settings = _settings(data)
    with _open(settings, create=False) as store:
        progress = RichProgress(quiet)
        try:
            ids = [r["id"] for r in store.list_articles()]
            touched = cluster_articles(store, settings, ids, progress)
            stories = analyse(store, settings, touched, progress)
        finally:
            progress.close()
    if json_out:
        _print_json({"stories_updated": [s.id for s in stories]})
    else:
        out_console.print(f"{plural(len(stories), 'story', 'stories')} updated.")
    return 0


@app.command()
def articles(
    query: Annotated[str | None, typer.Option("--query", "-s", help="Full-text search in titles and text.")] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Only this outlet.")] = None,
    story: Annotated[str | None, typer.Option("--story", help="Only this story's articles.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many rows.")] = None,
    ids_only: IdsOpt = False,
    data: DataOpt = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,  # nothing to silence; accepted like on every command
) -> int:
    """List stored articles: id, outlet, title, url, published, language, story.

    Example: storydesk articles --json --query Saravan
    Example: storydesk show "$(storydesk articles --ids --limit 1)"
    """
    settings = _settings(data)
    with _open(settings, create=False) as store:
        rows = store.list_articles(limit=limit, query=query, outlet=outlet, story=story)
    rows = [shown_row(r) for r in rows]
    if json_out:
        _print_json(rows)
        return 0
    if ids_only:
        _print_ids(rows)
        return 0
    table = Table("id", "outlet", "title", "published", "lang", "story", show_lines=False)
    for r in rows:
        table.add_row(r["id"], escape(r["outlet"]), escape(shorten(r["title"] or "-", TITLE_CHARS)),
                      (r["published"] or "-")[:19], r["language"] or "-", r["story"] or "-")
    out_console.print(table)
    return 0


@app.command()
def show(
    article: Annotated[str, typer.Argument(help="Article id (or a unique prefix of it).", show_default=False)],
    data: DataOpt = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,  # nothing to silence; accepted like on every command
) -> int:
    """Show one article: its cleaned text, and every removed piece with the reason and rule.

    Example: storydesk show "$(storydesk articles --ids --limit 1)" --json
    """
    settings = _settings(data)
    with _open(settings, create=False) as store:
        art = store.get_article(article)
    if json_out:
        _print_json(shown_row(art.show()))
        return 0
    out_console.print(f"[bold]{escape(art.title or '(untitled)')}[/bold]")
    out_console.print(
        f"[dim]{escape(display_outlet(art.outlet, art.url, art.id))} · {art.published or 'no date'} · "
        f"{art.language or '?'} · {escape(art.url or art.provenance.source if art.provenance else '')}[/dim]\n"
    )
    out_console.print(escape(art.text))
    if art.removed:
        table = Table("reason", "rule", "removed text", title=f"Removed by cleaning ({len(art.removed)})")
        for r in art.removed:
            table.add_row(r.reason, r.rule, escape(r.text[:200]))
        out_console.print(table)
    return 0


@app.command()
def export(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")] = None,
    data: DataOpt = None,
    quiet: QuietOpt = False,  # nothing to silence; accepted like on every command
) -> int:
    """Write every stored article as JSON Lines, each in the `show --json` shape.

    Example: storydesk export --out articles.jsonl
    """
    settings = _settings(data)
    with _open(settings, create=False) as store:
        fh = out.open("w", encoding="utf-8") if out else sys.stdout
        try:
            for art in store.iter_articles():
                fh.write(json.dumps(art.show(), ensure_ascii=False) + "\n")
        finally:
            if out:
                fh.close()
    return 0


@app.command()
def stories(
    query: Annotated[str | None, typer.Option("--query", "-s", help="Full-text search.")] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Only stories with this outlet.")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Last seen on or after this day: YYYY-MM-DD, today, yesterday or '3 days ago'. "
                        "Leaves undated stories out.")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="First seen on or before this day (same forms as --since). "
                        "Leaves undated stories out.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many rows.")] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many rows first (for paging).")] = 0,
    ids_only: IdsOpt = False,
    data: DataOpt = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> int:
    """List stories, biggest live story first: id, title, counts, conflicts, first and last seen.

    Ranked by coverage (independent sources) halved for each day of age; undated stories last.

    Example: storydesk stories --since yesterday --query Iran
    Example: storydesk story "$(storydesk stories --ids --limit 1)"
    """
    from storydesk.store import parse_day

    day_from, day_to = parse_day("--since", since), parse_day("--until", until)
    settings = _settings(data)
    with _open(settings, create=False) as store:
        rows = store.list_stories(query=query, outlet=outlet, since=day_from, until=day_to, limit=limit,
                                  offset=offset)
        total = store.count_stories() if not rows and not quiet else 0
    if not rows and total and not quiet:
        # an empty answer from a store that holds stories: say which filter left them out
        asked = ", ".join(f"{k} {v}" for k, v in (("--query", query), ("--outlet", outlet), ("--since", day_from),
                                                   ("--until", day_to), ("--offset", offset or None)) if v)
        err_console.print(escape(f"no stories match {asked} ({plural(total, 'story', 'stories')} stored)."),
                          highlight=False)
    if json_out:
        _print_json(rows)
        return 0
    if ids_only:
        _print_ids(rows)
        return 0
    table = Table("id", "title", "articles", "outlets", "conflicts", "first seen", "last seen")
    for r in rows:
        table.add_row(r["id"], escape(shorten(r["title"] or "", TITLE_CHARS)), str(r["article_count"]),
                      str(r["outlet_count"]), str(r["conflicts"]), (r["first_seen"] or "-")[:16],
                      (r["last_seen"] or "-")[:16])
    out_console.print(table)
    return 0


@app.command()
def story(
    story_id: Annotated[str, typer.Argument(metavar="STORY", help="Story id (or a unique prefix).",
                                            show_default=False)],
    data: DataOpt = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,  # nothing to silence; accepted like on every command
) -> int:
    """Show one story in the stories.json shape: brief, claims, discrepancies, quotes, entities, timeline.

    Example: storydesk story "$(storydesk stories --ids --limit 1)" --json
    """
    settings = _settings(data)
    with _open(settings, create=False) as store:
        s = store.get_story(story_id)
    if json_out:
        _print_json(s.to_dict())
        return 0
    from storydesk.report.markdown import render_markdown

    out_console.print(escape(render_markdown([s])), highlight=False)
    return 0


@app.command()
def changes(
    story_id: Annotated[str, typer.Argument(metavar="STORY", help="Story id (or a unique prefix).",
                                            show_default=False)],
    since: Annotated[str, typer.Option(
        "--since", help="Compare with the story as analysed at this time: an ISO time, a date, today, "
                        "yesterday, '3 days ago', or last-read (the last time `changes` showed this story; "
                        "before that, its first analysis).")] = "last-read",
    data: DataOpt = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,  # nothing to silence; accepted like on every command
) -> int:
    """What changed in a story since a time: outlets that joined, new facts, revised values (old -> new,
    which outlet, when; a correction when the outlet edited its own article), conflicts that appeared
    or were resolved, brief sentences added or dropped.

    Every analysis of a story is kept with its time; this compares the newest with the one that was
    current at --since. Each call remembers the newest version it showed as this story's last-read.

    Example: storydesk changes "$(storydesk stories --ids --limit 1)" --since yesterday --json
    """
    from storydesk.history import LAST_READ, changes_since, parse_since
    from storydesk.store.ranking import parse_time

    settings = _settings(data)
    with _open(settings, create=False) as store:
        sid = store.get_story(story_id).id
        key = f"last-read:{sid}"
        if since.strip().lower() == LAST_READ:
            raw = store.get_state(key)
            versions = store.story_versions(sid)
            when = parse_time(raw.decode("utf-8", "replace")) if raw else None
            if when is None and versions:  # never read here: since the story was first analysed
                when = parse_time(versions[0].analysed_at)
        else:
            when = parse_since(since)
        result = changes_since(store, sid, when)
        if result.latest is not None:
            store.put_state(key, result.latest.analysed_at.encode("utf-8"))
    if json_out:
        _print_json(result.to_dict())
        return 0
    for line in _changes_lines(result):
        out_console.print(escape(line), highlight=False)
    return 0


def _changes_lines(ch: StoryChanges) -> list[str]:
    """`changes` for people: one heading per kind of change, one line per change."""
    was = (f"version {ch.baseline.version} ({ch.baseline.analysed_at[:19]})" if ch.baseline
           else "nothing (not yet analysed)")
    now = f"version {ch.latest.version} ({ch.latest.analysed_at[:19]})" if ch.latest else "the stored story"
    lines = [f"{ch.title} ({ch.story}): {was} -> {now}"]
    if ch.empty:
        return [*lines, "Nothing changed."]

    def when(published: str | None, seen: str | None) -> str:
        parts = ([f"published {published[:16]}"] if published else []) + ([f"seen {seen[:16]}"] if seen else [])
        return ", ".join(parts) or "undated"

    sections: list[tuple[str, list[str]]] = [
        ("New outlets", [f"+ {o.outlet} ({plural(len(o.articles), 'article')}; {when(o.published, o.seen)})"
                         for o in ch.new_outlets]),
        ("Outlets no longer in the story", [f"- {o.outlet}" for o in ch.dropped_outlets]),
        ("Revised values", [
            f"~ {r.subject}: {r.outlet} {r.old} -> {r.new}"
            + (" (correction: the outlet edited its article)" if r.correction else "")
            + f"\n    was: {r.old_text} ({when(r.old_published, r.old_seen)})"
            + f"\n    now: {r.new_text} ({when(r.new_published, r.new_seen)})"
            for r in ch.revised_values]),
        ("New facts", [f"+ {f.subject}: " + "; ".join(f"{o} {v}" for o, v in zip(f.outlets, f.values, strict=False))
                       for f in ch.new_facts]),
        ("Conflicts that appeared", [
            f"! {c.subject}: " + " vs ".join(f"{v.value} ({', '.join(v.outlets)})" for v in c.values)
            for c in ch.conflicts_appeared]),
        ("Conflicts resolved", [f"= {c.subject}" for c in ch.conflicts_resolved]),
        ("Brief sentences added", [f"+ {t}" for t in ch.brief_added]),
        ("Brief sentences dropped", [f"- {t}" for t in ch.brief_dropped]),
        ("Articles edited by their outlet", [
            f"~ {u.outlet} {u.url or ''} ({u.old} -> {u.new}, seen {(u.new_seen or '?')[:16]})".replace("  ", " ")
            for u in ch.updated_articles]),
    ]
    for heading, items in sections:
        if items:
            lines += ["", f"{heading}:", *(f"  {i}" for i in items)]
    return lines


@app.command()
def serve(
    host: Annotated[str, typer.Option(
        "--host", help="Interface to bind. Loopback by default: the app has no login, so exposing it "
                       "to a network is an explicit choice.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 8000,
    get: Annotated[str | None, typer.Option(
        "--get", help="Answer one request for this path in-process, print the body and exit "
                      "(0 if it succeeded, 1 if not).")] = None,
    data: DataOpt = None,
    quiet: QuietOpt = False,
) -> int:
    """Start the local web app and its JSON API (/api/stories, /api/articles/{id}, /openapi.json).

    Example: storydesk serve --port 8000   then open http://127.0.0.1:8000/
    """
    from storydesk.web import create_app

    settings = _settings(data)
    _open(settings, create=False).close()  # no store here: say so now, not as a 503 on every page
    application = create_app(settings.data_dir)
    if get is not None:
        from fastapi.testclient import TestClient

        with TestClient(application) as client:
            resp = client.get(get)
        sys.stdout.write(resp.text + ("\n" if not resp.text.endswith("\n") else ""))
        return 0 if resp.status_code < 400 else 1
    import uvicorn

    sock = _listen(host, port)
    shown = f"[{host}]" if ":" in host else host
    if not quiet:
        err_console.print(escape(f"storydesk {__version__} serving {settings.data_dir} on "
                                 f"http://{shown}:{sock.getsockname()[1]}/"), highlight=False)
    server = uvicorn.Server(uvicorn.Config(application, host=host, port=port, log_level="warning"))
    server.run(sockets=[sock])
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port before anything says "serving"; a busy port is a clear error.

    uvicorn reports a bind failure only in its log and exits 3 (the code for skipped inputs).
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise UsageError(f"--host {host!r} is not an address this machine can listen on ({exc.strerror})") from exc
    sock = socket.socket(family, kind, proto)
    # SO_REUSEADDR lets a restart reuse a port in TIME_WAIT, never one another server listens on
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise StorydeskError(f"cannot listen on {host} port {port}: {exc.strerror or exc} (another server "
                             f"may be using it: stop it, or choose another with --port)") from exc
    return sock


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        out_console.print(f"storydesk {__version__}")
        raise typer.Exit(0)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and map errors to exit codes (0, 1, 2, 3)."""
    try:
        rv = app(args=argv, standalone_mode=False)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except typer.TyperException as exc:
        # typer vendors click: its usage errors carry click's `show()` and `exit_code` (2)
        show = getattr(exc, "show", None)
        if show is not None:
            show(file=sys.stderr)
        sys.exit(int(getattr(exc, "exit_code", 1)))
    except StorydeskError as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted: everything committed before this point is kept")
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)


from storydesk.cli_outlets import register as _register_outlets; _register_outlets(app)  # noqa: E402, E702, I001  (issue 25)
from storydesk.cli_more import register as _register_more; _register_more(app)  # noqa: E402, E702, I001  (issue 25: watch, export-story, verify)
