"""Check an evidence package: every file listed in its manifest, with the SHA-256 and size it lists.

In: a path to a zip that may come from anyone. Out: a `Verification` (ok, and each problem with
the member it concerns and a reason code). Nothing is extracted: members are streamed through
the hash in memory, so a name like `../../.bashrc` cannot write anywhere; such a name is still a
failure, since a package storydesk builds never has one and unzipping it elsewhere would be
unsafe. Every read is bounded by `PackageLimits`, whatever sizes the zip's headers claim.

Reason codes: not-a-zip, too-large, too-many-files, unsafe-name, duplicate-name, encrypted,
unsupported-compression, missing-manifest, bad-manifest, missing-file, unlisted-file,
size-mismatch, hash-mismatch, corrupt, story-mismatch.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from storydesk.evidence.package import FORMAT, FORMAT_VERSION, LIMITS, MANIFEST, REQUIRED, STORY, PackageLimits
from storydesk.records import Record

_HEX64 = re.compile(r"[0-9a-f]{64}")
_DRIVE = re.compile(r"^[A-Za-z]:")
# Read this much at a time while hashing: large enough to be fast, small enough to stay flat.
_CHUNK = 1 << 20
# What zipfile raises on a member it cannot read: a damaged archive or CRC (BadZipFile, zlib.error,
# EOFError, OSError), a compression method it does not support (NotImplementedError: the zip names
# e.g. PPMd, which Python lacks) or an encrypted member (RuntimeError). Each is a corrupt package.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


@dataclass(frozen=True, slots=True)
class Problem(Record):
    """One thing wrong with a package: the member (or "" for the whole zip), a reason code, details."""

    path: str
    reason: str
    detail: str = ""

    def message(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.reason}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True, slots=True)
class Verification(Record):
    """What `verify_package` found: ok when every listed file matches and nothing else is there."""

    package: str
    ok: bool
    story: str | None = None
    files: tuple[str, ...] = ()  # the files whose hash and size matched
    problems: tuple[Problem, ...] = ()


def unsafe_name(name: str) -> str | None:
    """Why a member name is unsafe to extract (absolute, `..`, backslash, control characters), or None."""
    if not name:
        return "an empty name"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "a control character in the name"
    if "\\" in name:
        return "a backslash in the name (a Windows path separator)"
    if name.startswith("/") or _DRIVE.match(name):
        return "an absolute path"
    parts = name.rstrip("/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "an empty, '.' or '..' path component"
    return None


def _read_manifest(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: PackageLimits) -> tuple[Any, Problem | None]:
    if info.file_size > limits.max_manifest_bytes:
        return None, Problem(MANIFEST, "too-large", f"{info.file_size:,} bytes, over {limits.max_manifest_bytes:,}")
    try:
        with zf.open(info) as fh:
            data = fh.read(limits.max_manifest_bytes + 1)
    except _UNREADABLE as exc:
        return None, Problem(MANIFEST, "corrupt", f"{type(exc).__name__}: {exc}")
    if len(data) > limits.max_manifest_bytes:
        return None, Problem(MANIFEST, "too-large", f"over {limits.max_manifest_bytes:,} bytes")
    try:
        return json.loads(data.decode("utf-8")), None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, Problem(MANIFEST, "bad-manifest", f"not UTF-8 JSON ({exc})")


def _listed(manifest: Any) -> tuple[str | None, list[tuple[str, str, int]], list[Problem]]:
    """(story id, [(path, sha256, bytes)], problems) from a parsed manifest, checking its shape."""
    if not isinstance(manifest, dict):
        return None, [], [Problem(MANIFEST, "bad-manifest", "not a JSON object")]
    if manifest.get("format") != FORMAT:
        return None, [], [Problem(MANIFEST, "bad-manifest", f"format is not {FORMAT!r}")]
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= FORMAT_VERSION:
        return None, [], [Problem(MANIFEST, "bad-manifest", f"format_version {version!r}: this storydesk "
                                  f"reads versions 1 to {FORMAT_VERSION}")]
    story = manifest.get("story")
    story_id = story.get("id") if isinstance(story, dict) and isinstance(story.get("id"), str) else None
    files = manifest.get("files")
    if not isinstance(files, list):
        return story_id, [], [Problem(MANIFEST, "bad-manifest", "no list of files")]
    out: list[tuple[str, str, int]] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for n, f in enumerate(files, 1):
        if not (isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("sha256"), str)
                and _HEX64.fullmatch(f["sha256"]) and isinstance(f.get("bytes"), int)
                and not isinstance(f["bytes"], bool) and f["bytes"] >= 0):
            problems.append(Problem(MANIFEST, "bad-manifest", f"file entry {n} needs path, sha256 (64 hex) "
                                    "and bytes"))
            continue
        path = f["path"]
        why = unsafe_name(path)
        if why or path == MANIFEST:
            problems.append(Problem(path, "unsafe-name" if why else "bad-manifest",
                                    why or "the manifest cannot list itself"))
        elif path in seen:
            problems.append(Problem(path, "duplicate-name", "listed twice in the manifest"))
        else:
            seen.add(path)
            out.append((path, f["sha256"], f["bytes"]))
    if story_id is None:
        problems.append(Problem(MANIFEST, "bad-manifest", "no story id"))
    problems += [Problem(name, "missing-file", "a package must list it") for name in REQUIRED if name not in seen]
    return story_id, out, problems


def _hash_member(fh: IO[bytes], limit: int) -> tuple[str, int, bool]:
    """(sha256, bytes read, whether there was more than `limit`), reading at most limit + 1 bytes."""
    h = hashlib.sha256()
    size = 0
    while True:
        chunk = fh.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        h.update(chunk)
        size += len(chunk)
        if size > limit:
            return h.hexdigest(), size, True
    return h.hexdigest(), size, False


def verify_package(path: Path | str, limits: PackageLimits = LIMITS) -> Verification:
    """Check the zip at `path` against its manifest; never raises for a bad package.

    Every member must be listed (besides manifest.json), every listed file present with the
    listed size and SHA-256, the names safe, and story.json the story the manifest names.
    """
    path = Path(path)
    name = str(path)

    def fail(*problems: Problem, story: str | None = None, files: tuple[str, ...] = ()) -> Verification:
        return Verification(package=name, ok=False, story=story, files=files, problems=problems)

    try:
        size = path.stat().st_size
    except OSError as exc:
        return fail(Problem("", "not-a-zip", f"cannot read it ({exc.strerror or exc})"))
    if size > limits.max_total_bytes:
        return fail(Problem("", "too-large", f"{size:,} bytes, over {limits.max_total_bytes:,}"))
    declared = _declared_members(path)
    if declared is not None and declared > limits.max_members:
        return fail(Problem("", "too-many-files", f"{declared:,} members, over {limits.max_members}"))
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return fail(Problem("", "not-a-zip", f"{type(exc).__name__}: {exc}"))
    with zf:
        return _verify_open(zf, name, limits)


def _declared_members(path: Path) -> int | None:
    """The member count the zip's end record declares, read before zipfile loads its directory.

    zipfile builds a ZipInfo (~0.5 KB) per member before anything can be checked, so a 2 GB zip
    of tiny members would take tens of GB; the count tells first. None if it cannot be read
    (zipfile then reports what is wrong).
    """
    try:
        with path.open("rb") as fh:
            end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]  # private, unchanged since Python 2.6
        return int(end[zipfile._ECD_ENTRIES_TOTAL]) if end else None  # type: ignore[attr-defined]
    except (AttributeError, OSError, IndexError, TypeError, ValueError):
        return None


def _verify_open(zf: zipfile.ZipFile, name: str, limits: PackageLimits) -> Verification:
    problems: list[Problem] = []
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        return Verification(name, False, problems=(Problem("", "too-many-files",
                                                           f"{len(infos):,} members, over {limits.max_members}"),))
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        why = unsafe_name(info.filename)
        if why:
            problems.append(Problem(info.filename, "unsafe-name", why))
        elif info.filename in members:
            problems.append(Problem(info.filename, "duplicate-name", "the zip holds two members of this name"))
        elif info.flag_bits & 0x1:
            problems.append(Problem(info.filename, "encrypted", "a package is never encrypted"))
        elif info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append(Problem(info.filename, "unsupported-compression",
                                    f"compression method {info.compress_type}; packages use stored or deflate"))
        else:
            members[info.filename] = info
    if MANIFEST not in members:
        if not any(p.path == MANIFEST for p in problems):
            problems.append(Problem(MANIFEST, "missing-manifest", "the package has no manifest.json"))
        return Verification(name, False, problems=tuple(problems))
    manifest, problem = _read_manifest(zf, members[MANIFEST], limits)
    if problem is not None:
        return Verification(name, False, problems=(*problems, problem))
    story_id, listed, shape = _listed(manifest)
    problems += shape
    verified: list[str] = []
    total = members[MANIFEST].file_size
    story_bytes: bytes | None = None
    for path, want_hash, want_size in listed:
        member = members.get(path)
        if member is None:
            if not any(p.path == path for p in problems):
                problems.append(Problem(path, "missing-file", "listed in the manifest, not in the zip"))
            continue
        if want_size > limits.max_member_bytes or total + want_size > limits.max_total_bytes:
            problems.append(Problem(path, "too-large", f"{want_size:,} bytes, over the package limits"))
            continue
        try:
            with zf.open(member) as fh:
                if path == STORY:
                    data = fh.read(want_size + 1)
                    got_hash, got_size, over = hashlib.sha256(data).hexdigest(), len(data), False
                    story_bytes = data
                else:
                    got_hash, got_size, over = _hash_member(fh, want_size)
        except _UNREADABLE as exc:
            # zipfile checks each member's CRC-32 as it reads: a flipped byte often ends here
            problems.append(Problem(path, "corrupt", f"{type(exc).__name__}: {exc}"))
            continue
        total += got_size
        if over or got_size != want_size:
            problems.append(Problem(path, "size-mismatch", f"the manifest says {want_size:,} bytes, "
                                    f"the zip holds {'more' if over else f'{got_size:,}'}"))
        elif got_hash != want_hash:
            problems.append(Problem(path, "hash-mismatch", f"SHA-256 {got_hash}, the manifest says {want_hash}"))
        else:
            verified.append(path)
    names = {p for p, _, _ in listed}
    problems += [Problem(m, "unlisted-file", "in the zip, not in the manifest")
                 for m in members if m != MANIFEST and m not in names]
    if story_bytes is not None and STORY in verified:
        problems += _story_matches(story_bytes, story_id)
    return Verification(name, not problems, story=story_id, files=tuple(verified), problems=tuple(problems))


def _story_matches(data: bytes, story_id: str | None) -> list[Problem]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [Problem(STORY, "story-mismatch", f"not UTF-8 JSON ({exc})")]
    got = doc.get("id") if isinstance(doc, dict) else None
    if got != story_id:
        return [Problem(STORY, "story-mismatch", f"story.json is story {got!r}, the manifest names {story_id!r}")]
    return []


__all__ = ["Problem", "Verification", "unsafe_name", "verify_package"]
