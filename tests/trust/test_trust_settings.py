"""The outlet trust settings file (issue 25): its shape, how names match, bad files, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storydesk.cli import main
from storydesk.errors import UsageError
from storydesk.records import Article
from storydesk.settings import Settings
from storydesk.store import open_store
from storydesk.trust import load_trust, outlet_key


def art(aid: str, outlet: str | None, url: str | None = None) -> Article:
    return Article(id=aid, outlet=outlet, title=None, url=url, published=None, language="en",
                   raw_text="x", text="x")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def sd(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


GOOD = """
low_trust_below = 0.4

[outlets."Middle  East Eye"]
hidden = true

[outlets."bbc.co.uk"]
weight = 0.3

[outlets."https://www.example.com/news"]
weight = 0.5
"""


def test_names_match_as_displayed_or_by_domain_ignoring_case_and_spacing(tmp_path: Path) -> None:
    trust = load_trust(write(tmp_path / "o.toml", GOOD))
    assert trust.low_trust_below == 0.4
    assert trust.hidden(art("a", "middle east eye"))
    assert not trust.hidden(art("b", "Middle East Monitor"))
    # a domain line matches any article from that registered domain, whatever its site name
    bbc = art("c", "BBC News", "https://www.bbc.co.uk/news/world-1")
    assert trust.weight(bbc) == 0.3 and trust.low_trust(bbc)
    # a URL written as a name stands for its registered domain
    assert trust.weight(art("d", None, "http://sub.example.com/x")) == 0.5
    assert not trust.low_trust(art("d", None, "http://sub.example.com/x"))  # 0.5 is not under 0.4
    assert trust.weight(art("e", "Unlisted Daily", "https://unlisted.example.org/")) == 1.0
    assert outlet_key(" BBC.co.uk ") == "bbc.co.uk"


def test_a_displayed_name_line_wins_over_a_domain_line(tmp_path: Path) -> None:
    trust = load_trust(write(tmp_path / "o.toml", '[outlets."BBC News"]\nweight = 0.9\n'
                                                  '[outlets."bbc.co.uk"]\nhidden = true\n'))
    news = art("a", "BBC News", "https://www.bbc.co.uk/news/1")
    sport = art("b", "BBC Sport", "https://www.bbc.co.uk/sport/1")
    assert trust.weight(news) == 0.9 and not trust.hidden(news)
    assert trust.hidden(sport)


@pytest.mark.parametrize(("text", "message"), [
    ("x = [\n", "is not valid TOML"),
    ('[outlets."A"]\nweight = 2\n', "outlet 'A': weight must be from 0 to 1, not 2"),
    ('[outlets."A"]\nweight = true\n', "weight must be a number from 0 to 1"),
    ('[outlets."A"]\nweight = nan\n', "weight must be a number"),
    ('[outlets."A"]\nhide = true\n', "unknown key 'hide'; expected weight or hidden"),
    ('[outlets."A"]\nhidden = "yes"\n', "hidden must be true or false"),
    ('[outlets."A"]\nhidden = true\n[outlets."a"]\nweight = 0.1\n', "names the same outlet as 'A'"),
    ('outlets = ["A"]\n', "outlets must be tables"),
    ('[outlets]\nA = 0.3\n', "must be a table with weight"),
    ('weights = {A = 0.3}\n', "unknown setting 'weights'"),
    ("low_trust_below = -1\n", "low_trust_below must be from 0 to 1"),
    ('[outlets."A"]\nweight = 1' + "0" * 400 + "\n", "weight must be from 0 to 1, not a 401-digit number"),
    ('[outlets."  "]\nweight = 0.1\n', "an outlet name is empty"),
])
def test_a_bad_file_is_a_usage_error_naming_the_file_and_the_fix(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "o.toml", text)
    with pytest.raises(UsageError) as exc:
        load_trust(path)
    assert message in str(exc.value) and str(path) in str(exc.value)
    assert exc.value.exit_code == 2


def test_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "latin1.toml").write_bytes(b'[outlets."Caf\xe9"]\nweight = 0.1\n')
    with pytest.raises(UsageError, match="is not UTF-8 text"):
        load_trust(tmp_path / "latin1.toml")
    with pytest.raises(UsageError, match="is a directory"):
        load_trust(tmp_path)
    with pytest.raises(UsageError, match="does not exist"):
        load_trust(tmp_path / "missing.toml")
    assert not load_trust(tmp_path / "missing.toml", required=False)


def test_settings_read_the_data_dirs_file_and_key_the_analysis_on_it(tmp_path: Path) -> None:
    plain = Settings(data_dir=tmp_path)
    assert not plain.outlet_trust
    # no file: the key is the one stored stories were made with before trust settings existed
    assert "trust" not in json.loads(plain.analysis_key())
    write(tmp_path / "outlets.toml", '[outlets."A"]\nweight = 0.3\n')
    weighted = Settings(data_dir=tmp_path)
    assert weighted.outlet_trust.outlets[0].weight == 0.3
    assert weighted.analysis_key() != plain.analysis_key()
    write(tmp_path / "outlets.toml", '[outlets."A"]\nhidden = true\n')
    hidden = Settings(data_dir=tmp_path)
    assert hidden.analysis_key() not in (plain.analysis_key(), weighted.analysis_key())
    # the same rules written otherwise (case, spacing, order) are the same analysis
    write(tmp_path / "outlets.toml", '[outlets."  a "]\nhidden = true\n')
    assert Settings(data_dir=tmp_path).analysis_key() == hidden.analysis_key()
    # another data directory reads its own file
    other = tmp_path / "other"
    other.mkdir()
    assert not hidden.replace(data_dir=other).outlet_trust
    assert hidden.replace(brief_words=60).outlet_trust == hidden.outlet_trust


def test_env_names_the_file_and_an_empty_value_names_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "mine.toml", '[outlets."A"]\nweight = 0.2\n')
    monkeypatch.setenv("STORYDESK_OUTLETS", str(path))
    assert Settings.from_env(data_dir=tmp_path / "d").outlet_trust.outlets[0].outlet == "A"
    monkeypatch.setenv("STORYDESK_OUTLETS", "")
    assert not Settings.from_env(data_dir=tmp_path / "d").outlet_trust
    monkeypatch.setenv("STORYDESK_OUTLETS", str(tmp_path / "nope.toml"))
    with pytest.raises(UsageError, match=r"nope\.toml does not exist"):
        Settings.from_env(data_dir=tmp_path / "d")


def test_cli_reports_a_bad_file_with_exit_2_and_no_traceback(tmp_path: Path, data_dir: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    open_store(data_dir).close()
    bad = write(tmp_path / "bad.toml", '[outlets."A"]\nweight = "high"\n')
    code, out, err = sd("outlets", "--outlets", bad, "--json", capsys=capsys)
    assert code == 2 and out == ""
    assert "weight must be a number from 0 to 1, not 'high'" in err and "Traceback" not in err


def test_run_with_a_bad_file_stops_before_ingesting(tmp_path: Path, data_dir: Path, seeds_dir: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYDESK_OUTLETS", str(write(tmp_path / "bad.toml", "[outlets\n")))
    code, _, err = sd("run", seeds_dir, "--out", tmp_path / "out", capsys=capsys)
    assert code == 2 and "is not valid TOML" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert not data_dir.exists() or open_store(data_dir).count_articles() == 0
