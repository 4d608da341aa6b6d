"""`storydesk export-story` -> `storydesk verify`: the package round-trips, warcio reads its WARC,
and any tampering (a changed byte, an added, removed or unsafely named file, a swapped story) fails."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from storydesk.cli import main
from storydesk.evidence import PackageLimits, build_package, package_zip, unsafe_name, verify_package
from storydesk.records import Article, Story
from storydesk.store import open_store

EXPECTED = ["manifest.json", "report.html", "story.json", "brief.md", "articles.warc.gz"]


def sd(*args: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.fixture()
def exported(filled_data: Path, seed_set: tuple[Story, list[Article]], tmp_path: Path,
             capsys: pytest.CaptureFixture[str]) -> Path:
    story, _ = seed_set
    out = tmp_path / "pkg" / "story.zip"
    code, stdout, err = sd("export-story", story.id, "--out", out, "--data", filled_data, capsys=capsys)
    assert code == 0, err
    # the builders' articles were made in memory, not ingested: no bytes of theirs are stored
    assert f"story {story.id}" in stdout and "Original bytes of 0 of" in stdout
    return out


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(path: Path, files: dict[str, bytes]) -> Path:
    """Write `files` as a zip at `path` (the way an attacker or a careless tool would rewrite it)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def test_export_then_verify_round_trips(exported: Path, filled_data: Path, seed_set: tuple[Story, list[Article]],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    story, _ = seed_set
    files = members(exported)
    assert list(files) == EXPECTED
    manifest = json.loads(files["manifest.json"])
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == {
        n: hashlib.sha256(d).hexdigest() for n, d in files.items() if n != "manifest.json"}
    assert manifest["story"]["id"] == story.id
    assert manifest["original_bytes"]["stored"] == 0 and manifest["original_bytes"]["note"]
    assert [a["id"] for a in manifest["articles"]] == [a.id for a in story.articles]
    # story.json is the record `storydesk story --json` prints
    code, out, _ = sd("story", story.id, "--json", "--data", filled_data, capsys=capsys)
    assert code == 0 and json.loads(files["story.json"]) == json.loads(out)
    assert story.brief[0].text in files["brief.md"].decode()
    code, out, err = sd("verify", exported, capsys=capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"ok: {exported}: story {story.id}, 4 files match")
    code, out, _ = sd("verify", exported, "--json", capsys=capsys)
    doc = json.loads(out)
    assert code == 0 and doc["ok"] is True and doc["problems"] == [] and len(doc["files"]) == 4


def test_warcio_reads_each_articles_text_and_provenance(exported: Path, seed_set: tuple[Story, list[Article]]) -> None:
    story, arts = seed_set
    by_id = {a.id: a for a in arts}
    warc = members(exported)["articles.warc.gz"]
    records = [(r.rec_type, dict(r.rec_headers.headers), r.content_stream().read())
               for r in ArchiveIterator(io.BytesIO(warc), check_digests="raise")]  # type: ignore[arg-type]
    assert records[0][0] == "warcinfo" and b"original-bytes: 0 of 5 articles (the others: none stored" in records[0][2]
    assert not [h for _, h, _ in records if h.get("WARC-Storydesk-Content") == "original"]
    texts = {h["WARC-Storydesk-Article"]: (h, body) for kind, h, body in records if kind == "resource"}
    metas = {h["WARC-Storydesk-Article"]: (h, body) for kind, h, body in records if kind == "metadata"}
    assert list(texts) == list(metas) == [a.id for a in story.articles]
    for aid, (head, body) in texts.items():
        assert body.decode("utf-8") == by_id[aid].text
        assert head["Content-Type"] == "text/plain; charset=utf-8"
        meta_head, meta_body = metas[aid]
        assert meta_head["WARC-Refers-To"] == head["WARC-Record-ID"]
        meta = json.loads(meta_body)
        assert meta["provenance"] == by_id[aid].provenance.to_dict()  # type: ignore[union-attr]
        assert meta["text_before_cleaning"] == by_id[aid].raw_text
        assert meta["original_bytes"]["stored"] is False


def test_build_is_reproducible(seed_set: tuple[Story, list[Article]]) -> None:
    story, arts = seed_set
    by_id = {a.id: a for a in arts}
    one = package_zip(build_package(story, by_id, generated="2026-01-02T03:04:05+00:00"))
    two = package_zip(build_package(story, by_id, generated="2026-01-02T03:04:05+00:00"))
    assert one == two


def _tamper_byte(files: dict[str, bytes]) -> dict[str, bytes]:
    html = files["report.html"]
    i = html.index(b"<article")
    return {**files, "report.html": html[:i] + b"<articlf" + html[i + 8:]}


def _swap_story(files: dict[str, bytes]) -> dict[str, bytes]:
    """Another story's record with a manifest whose hashes were recomputed to match it."""
    story = json.loads(files["story.json"])
    story["id"] = "0000000000000000"
    data = json.dumps(story).encode()
    manifest = json.loads(files["manifest.json"])
    for f in manifest["files"]:
        if f["path"] == "story.json":
            f["sha256"], f["bytes"] = hashlib.sha256(data).hexdigest(), len(data)
    return {**files, "story.json": data, "manifest.json": json.dumps(manifest).encode()}


def _listed_traversal(files: dict[str, bytes]) -> dict[str, bytes]:
    """A `../` member that the manifest lists with its true hash: still refused."""
    evil = b"echo pwned\n"
    manifest = json.loads(files["manifest.json"])
    manifest["files"].append({"path": "../.bashrc", "sha256": hashlib.sha256(evil).hexdigest(), "bytes": len(evil)})
    return {**files, "manifest.json": json.dumps(manifest).encode(), "../.bashrc": evil}


def _relisted_size(files: dict[str, bytes]) -> dict[str, bytes]:
    manifest = json.loads(files["manifest.json"])
    manifest["files"][0]["bytes"] += 1
    return {**files, "manifest.json": json.dumps(manifest).encode()}


TAMPERING = {
    "changed-byte": (_tamper_byte, "report.html: hash-mismatch"),
    "added-file": (lambda f: {**f, "extra.html": b"<script>1</script>"}, "extra.html: unlisted-file"),
    "removed-file": (lambda f: {k: v for k, v in f.items() if k != "brief.md"}, "brief.md: missing-file"),
    "absolute-name": (lambda f: {**f, "/etc/cron.d/x": b"x"}, "/etc/cron.d/x: unsafe-name"),
    "listed-traversal": (_listed_traversal, "../.bashrc: unsafe-name"),
    "swapped-story": (_swap_story, "story.json: story-mismatch"),
    "wrong-size": (_relisted_size, "report.html: size-mismatch"),
    "no-manifest": (lambda f: {k: v for k, v in f.items() if k != "manifest.json"}, "missing-manifest"),
    "bad-manifest": (lambda f: {**f, "manifest.json": b"{not json"}, "manifest.json: bad-manifest"),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_a_tampered_package_fails_verify(case: str, exported: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    change, message = TAMPERING[case]
    bad = rezip(tmp_path / f"{case}.zip", change(members(exported)))
    code, out, err = sd("verify", bad, capsys=capsys)
    assert code == 1
    assert message in err, err
    assert out.startswith(f"FAILED: {bad}")


def test_a_file_that_is_not_a_zip_fails_and_a_missing_one_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "story.zip"
    junk.write_bytes(b"PK\x03\x04 but not really a zip")
    code, _, err = sd("verify", junk, capsys=capsys)
    assert code == 1 and "not-a-zip" in err
    code, _, _ = sd("verify", tmp_path / "missing.zip", capsys=capsys)
    assert code == 2


def test_a_member_bigger_than_listed_is_read_no_further_than_the_listed_size(exported: Path, tmp_path: Path) -> None:
    """A deflate bomb (10 MB of zeros in a few KB) listed as 10 bytes: size-mismatch, not a 10 MB read."""
    files = members(exported)
    bomb = b"\0" * 10_000_000
    manifest = json.loads(files["manifest.json"])
    for f in manifest["files"]:
        if f["path"] == "brief.md":
            f["sha256"], f["bytes"] = hashlib.sha256(bomb[:10]).hexdigest(), 10
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in {**files, "manifest.json": json.dumps(manifest).encode(), "brief.md": bomb}.items():
            zf.writestr(name, data)
    assert path.stat().st_size < 100_000
    result = verify_package(path)
    assert not result.ok
    assert [(p.path, p.reason) for p in result.problems] == [("brief.md", "size-mismatch")]


def test_limits_refuse_oversized_members(exported: Path) -> None:
    result = verify_package(exported, PackageLimits(max_member_bytes=1000))
    assert not result.ok
    assert {p.path for p in result.problems if p.reason == "too-large"} >= {"report.html", "story.json"}
    assert verify_package(exported, PackageLimits(max_members=3)).problems[0].reason == "too-many-files"


def test_a_story_over_the_limits_is_not_exported(seed_set: tuple[Story, list[Article]]) -> None:
    from storydesk.errors import StorydeskError

    story, arts = seed_set
    with pytest.raises(StorydeskError, match="over the limits"):
        build_package(story, {a.id: a for a in arts}, limits=PackageLimits(max_member_bytes=1000))


def test_an_article_gone_from_the_store_is_listed_as_missing(seed_set: tuple[Story, list[Article]]) -> None:
    story, arts = seed_set
    package = build_package(story, {a.id: a for a in arts[1:]})
    entries = {a["id"]: a for a in package.manifest["articles"]}
    assert entries[arts[0].id].get("missing") is True
    assert all(not entries[a.id].get("missing") for a in arts[1:])


def test_export_of_an_unknown_story_fails(filled_data: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = sd("export-story", "ffffffffffff", "--out", tmp_path / "x.zip", "--data", filled_data,
                      capsys=capsys)
    assert code == 1 and "no story" in err
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize("name", ["../x", "a/../../x", "/abs", "C:/win", "a\\b", "a//b", "./a", "a\x00b", ""])
def test_unsafe_member_names(name: str) -> None:
    assert unsafe_name(name)


@pytest.mark.parametrize("name", ["report.html", "sources/a.warc.gz", "a..b.txt"])
def test_safe_member_names(name: str) -> None:
    assert unsafe_name(name) is None


def test_hostile_article_is_escaped_in_the_package_report(filled_data: Path,
                                                          evil_set: tuple[Story, list[Article]]) -> None:
    from storydesk_test_builders import EVIL

    story, _ = evil_set
    with open_store(filled_data, readonly=True) as store:
        arts = {a.id: a for a in store.iter_articles([x.id for x in story.articles])}
        stored = store.get_story(story.id)
    html = build_package(stored, arts).files["report.html"].decode()
    assert EVIL not in html and "<script>window.__pwned" not in html


def test_a_zip_declaring_too_many_members_is_refused_before_its_directory_is_read(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(50):
            zf.writestr(f"f{i}", b"")
    result = verify_package(path, PackageLimits(max_members=10))
    assert [(p.reason, p.detail) for p in result.problems] == [("too-many-files", "50 members, over 10")]
