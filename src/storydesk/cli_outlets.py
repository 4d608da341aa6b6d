"""`storydesk outlets`: the stored outlets with their counts and the trust settings in force (issue 25).

Kept apart from cli.py, which calls `register(app)` once at its bottom. Rows are one per outlet as
every page prints it (`storydesk.outlets.display_outlet`), so the name a user copies from here is
the one `outlets.toml` matches (see storydesk.trust).
"""

# No `from __future__ import annotations`: typer reads the command's annotations at registration,
# and the shared option types it uses are imported inside `register` (cli.py imports this module).
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from storydesk.outlets import display_outlet, domain_name
from storydesk.trust import Trust, outlet_key


def outlet_rows(articles: Sequence[dict[str, Any]], trust: Trust) -> tuple[list[dict[str, Any]], list[str]]:
    """(one row per outlet, the settings lines that match no stored outlet).

    Args:
        articles: `articles --json` rows (`id`, `outlet`, `url`, `story`).
        trust: the settings in force.

    Rows: `outlet`, `articles`, `stories` (stories its articles are in), `domains` (the registered
    domains of its URLs, also usable in the settings file), `weight`, `hidden`, `low_trust` and
    `setting` (the settings line that applies, as written; null when none). Most articles first.
    """
    groups: dict[str, dict[str, Any]] = {}
    matched: set[str] = set()
    for a in articles:
        name = display_outlet(a.get("outlet"), a.get("url"), a.get("id"))
        g = groups.setdefault(name, {"outlet": name, "articles": 0, "stories": set(), "domains": set(),
                                     "setting": None})
        g["articles"] += 1
        if a.get("story"):
            g["stories"].add(a["story"])
        domain = domain_name(a.get("url"))
        if domain:
            g["domains"].add(domain)
        rule = trust.setting_for(a.get("outlet"), a.get("url"), a.get("id"))
        if rule is not None:
            matched.add(outlet_key(rule.outlet))
            # the displayed name's own line wins over a domain's line (as in Trust.setting_for)
            if g["setting"] is None or outlet_key(rule.outlet) == outlet_key(name):
                g["setting"] = rule
    rows = []
    for g in groups.values():
        rule = g["setting"]
        weight = rule.weight if rule is not None else 1.0
        rows.append({
            "outlet": g["outlet"], "articles": g["articles"], "stories": len(g["stories"]),
            "domains": sorted(g["domains"]), "weight": weight,
            "hidden": bool(rule is not None and rule.hidden),
            "low_trust": weight < trust.low_trust_below,
            "setting": rule.outlet if rule is not None else None,
        })
    rows.sort(key=lambda r: (-r["articles"], r["outlet"].casefold()))
    unmatched = [o.outlet for o in trust.outlets if outlet_key(o.outlet) not in matched]
    return rows, unmatched


def register(app: typer.Typer) -> None:
    """Add the `outlets` command to the storydesk CLI."""
    # cli.py calls this at its bottom: its shared options exist by then
    from storydesk.cli import DataOpt, JsonOpt, QuietOpt, _open, _print_json, err_console, out_console

    @app.command()
    def outlets(
        outlets_file: Annotated[Path | None, typer.Option(
            "--outlets", help="Outlet trust settings file (TOML) to show instead of the one in force "
                              "(env STORYDESK_OUTLETS; default: outlets.toml in the data directory).",
            show_default=False)] = None,
        data: DataOpt = None,
        json_out: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> int:
        """List outlets: articles and stories per outlet, and the trust settings that apply to each.

        Hide an outlet or weight it in outlets.toml in the data directory (or the file that
        --outlets / STORYDESK_OUTLETS names), using a name or domain listed here; the next
        `storydesk run` re-analyses the stories it touches with them.

        Example: storydesk outlets --json
        """
        from rich.markup import escape
        from rich.table import Table

        from storydesk.settings import Settings, default_data_dir

        settings = Settings.from_env(data_dir=data or default_data_dir(), outlets=outlets_file)
        trust = settings.outlet_trust
        with _open(settings, create=False) as store:
            articles = store.list_articles()
        rows, unmatched = outlet_rows(articles, trust)
        if unmatched and not quiet:
            names = ", ".join(repr(n) for n in unmatched)
            err_console.print(escape(f"warning: {trust.source} names {names}, which no stored article's outlet "
                                     "or domain matches (write a name as this list shows it)"), highlight=False)
        if json_out:
            _print_json(rows)
            return 0
        table = Table("outlet", "articles", "stories", "weight", "trust", "domains")
        for r in rows:
            state = "hidden" if r["hidden"] else "low" if r["low_trust"] else "-"
            table.add_row(escape(r["outlet"]), str(r["articles"]), str(r["stories"]), f"{r['weight']:g}", state,
                          escape(", ".join(r["domains"]) or "-"))
        out_console.print(table)
        if trust and not quiet:
            err_console.print(escape(f"settings: {trust.source}; low trust below weight {trust.low_trust_below:g}"),
                              highlight=False)
        return 0


__all__ = ["outlet_rows", "register"]
