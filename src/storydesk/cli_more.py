"""More `storydesk` commands: `watch`, `export-story` and `verify` (issue 25).

`register(app)` adds them to the Typer app of cli.py, which calls it on its last line. They
follow cli.py's rules: parse, call one library function (storydesk.watch, storydesk.evidence),
format; results on stdout, progress and problems on stderr; exit codes 0 done, 1 failed,
2 bad usage. The shared options are cli.py's, imported when `register` runs (cli.py is then
loaded up to its last line, so this module never imports it at the top: no import cycle).
"""

# No `from __future__ import annotations`: typer reads the commands' annotations at run time,
# and they name cli.py's shared options, which exist only inside `register`.
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    """Add `watch`, `export-story` and `verify` to `app`."""
    from rich.markup import escape

    from storydesk.cli import DataOpt, JsonOpt, QuietOpt, _check_inputs, _open, _print_json, _settings
    from storydesk.cli import err_console as err
    from storydesk.cli import out_console as out
    from storydesk.records import Skip

    @app.command("export-story")
    def export_story(
        story_id: Annotated[str, typer.Argument(metavar="STORY", help="Story id (or a unique prefix).",
                                                show_default=False)],
        out_path: Annotated[Path, typer.Option("--out", "-o", help="The zip to write (replaced if it exists).",
                                               show_default=False)],
        data: DataOpt = None,
        json_out: JsonOpt = False,
        quiet: QuietOpt = False,  # nothing to silence; accepted like on every command
    ) -> int:
        """Write one story's evidence package: report page, story.json, brief.md, sources (WARC), manifest.

        The zip opens on any machine without storydesk: report.html is self-contained, the
        sources are WARC records (each article's original bytes when stored, its cleaned text
        and provenance), and
        manifest.json holds the SHA-256 of every file. Check it with `storydesk verify`.

        Example: storydesk export-story "$(storydesk stories --ids --limit 1)" --out story.zip
        """
        from storydesk.evidence import package_story, write_package

        settings = _settings(data)
        with _open(settings, create=False) as store:
            package = package_story(store, story_id)
            story = store.get_story(package.story_id)
        write_package(package, out_path)
        missing = [a["id"] for a in package.manifest["articles"] if a.get("missing")]
        if json_out:
            _print_json({"out": str(out_path), **package.manifest})
        else:
            size = out_path.stat().st_size
            out.print(escape(f"Wrote {out_path}: story {story.id} ({len(story.articles)} articles), "
                             f"{len(package.files) + 1} files, {size:,} bytes."), highlight=False)
            kept = package.manifest["original_bytes"]
            out.print(escape(f"Original bytes of {kept['stored']} of {kept['stored'] + kept['not_stored']} articles "
                             "in the WARC; " + ("all of them." if not kept["not_stored"] else
                                                "the others have none stored (see manifest.json).")),
                      highlight=False)
        for aid in missing:
            err.print(escape(f"article {aid} is no longer in the store: listed as missing, no WARC records"),
                      highlight=False)
        return 0

    @app.command("verify")
    def verify(
        package: Annotated[Path, typer.Argument(metavar="PACKAGE", help="An evidence package (.zip).",
                                                show_default=False, exists=True, dir_okay=False)],
        json_out: JsonOpt = False,
        quiet: QuietOpt = False,  # problems are shown regardless; accepted like on every command
    ) -> int:
        """Check an evidence package: every file present with the SHA-256 and size its manifest lists.

        Exit 0 when it matches, 1 when anything is missing, changed, added or unsafe (each
        problem on stderr). The zip is treated as untrusted: nothing is extracted, reads are bounded.

        Example: storydesk verify story.zip
        """
        from storydesk.evidence import verify_package

        result = verify_package(package)
        if json_out:
            _print_json(result.to_dict())
        elif result.ok:
            out.print(escape(f"ok: {package}: story {result.story}, {len(result.files)} files match "
                             "manifest.json"), highlight=False)
        if not result.ok:
            # problems always go to stderr, even with --quiet or --json: a failed check must be seen
            for p in result.problems:
                err.print(escape(f"{package}: {p.message()}"), highlight=False)
            if not json_out:
                out.print(escape(f"FAILED: {package}: {len(result.problems)} problem"
                                 f"{'' if len(result.problems) == 1 else 's'}"), highlight=False)
        return 0 if result.ok else 1

    @app.command("watch")
    def watch(
        sources: Annotated[list[str], typer.Argument(show_default=False,
                                                     help="Feed URLs, page URLs, files or folders to re-read.")],
        every: Annotated[str, typer.Option(
            "--every", help="Time between cycles: 90s, 15m, 2h (a number alone is seconds).")] = "15m",
        once: Annotated[bool, typer.Option("--once", help="Run one cycle and exit.")] = False,
        jsonl: Annotated[bool, typer.Option(
            "--jsonl", help="One JSON object per cycle on stdout, a line each (for scripts).")] = False,
        data: DataOpt = None,
        quiet: QuietOpt = False,
    ) -> int:
        """Re-read sources on a schedule; ingest what is new, update its stories, print what changed.

        Each cycle ingests the sources, clusters new articles, and cross-checks and briefs the
        stories they touched. SIGINT (Ctrl-C) or SIGTERM stops it cleanly: the step under way
        finishes (every store write is a transaction), the rest waits, and the next run picks up
        articles left unclustered and stories left unanalysed. Exit 0 on a clean stop.

        Example: storydesk watch https://example.org/feed.xml inbox/ --every 15m
        """
        from storydesk.watch import StopFlag, parse_every, run_watch

        try:
            interval = parse_every(every)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--every") from exc
        _check_inputs(sources)
        settings = _settings(data)
        from storydesk.api import Desk

        def show(report: Any) -> None:
            if jsonl:
                sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
                sys.stdout.flush()
                return
            for line in report.lines():
                out.print(escape(line), highlight=False)
            sys.stdout.flush()

        def skipped(skip: Skip) -> None:
            # always shown, even with --quiet: a dropped input must never go unnoticed
            err.print(f"[yellow]{escape(skip.message())}[/yellow]", highlight=False)

        with StopFlag.installed() as stop, Desk(settings.data_dir, settings) as desk:
            if not quiet:
                err.print(escape(f"watching {len(sources)} source{'s' if len(sources) != 1 else ''} every "
                                 f"{every}; Ctrl-C or SIGTERM stops after the step under way"), highlight=False)
            run_watch(desk, sources, interval, stop, on_cycle=show, on_skip=skipped, once=once)
            if stop.requested and not quiet:
                err.print(escape(f"stopped on {stop.signal_name}: everything done so far is stored; the next "
                                 "run completes the rest"), highlight=False)
        return 0
