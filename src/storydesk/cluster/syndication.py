"""Near-duplicate (syndicated copy) detection: MinHash + LSH over word shingles.

Takes the cleaned text of each article, lower-cases it, keeps word tokens only (so punctuation,
quotes and spacing do not matter) and hashes overlapping 4-word shingles into a MinHash. Copies
of one wire text share most shingles even with a line of page chrome added, a sentence dropped or
a few words changed; two outlets writing the same event in their own words share very few.
Candidates come from datasketch's MinHashLSH, then the estimated Jaccard decides.

Which article is the original: the earliest `published` one when times are known (articles with
a time come before those without), otherwise the first ingested (`original_key`).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from typing import cast

import numpy as np
from datasketch import MinHash, MinHashLSH

# 4-word shingles: a changed word breaks 4 shingles, so rewording 5 words of a 300-word story
# still leaves Jaccard ~0.85, while different write-ups of one event share well under 0.1.
SHINGLE = 4
NUM_PERM = 64
# datasketch's default hashing scheme, named so stored signatures rebuild the same MinHash
SCHEME = "affine32"
# Copies score 0.55-1.0 and distinct same-event articles under 0.15 on bench/syndication.py
# (ECB+ train docs and their generated copies); 0.4 sits between with room for chrome.
THRESHOLD = 0.4
# Below this many shingles a text is too short to call a copy on its own words (a headline, a
# caption); such articles are never marked as copies.
MIN_SHINGLES = 8

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_PERMS: np.ndarray | None = None
# MurmurHash3's 32-bit finalizer, as datasketch's "affine32" scheme pre-mixes every hash value
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
# odd 64-bit multipliers mixing the CRC32s of a shingle's words into one hash (position-dependent)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
                dtype=np.uint64)


def _minhash(hashvalues: np.ndarray | None = None) -> MinHash:
    # generating the permutations costs ~1 ms per MinHash; they depend only on seed and
    # num_perm, so build them once per process and hand them to every MinHash
    global _PERMS
    if _PERMS is None:
        _PERMS = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, permutations=_PERMS, hashvalues=hashvalues)


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    """The set of k-word shingles of `text` (lower-cased word tokens), as UTF-8 bytes."""
    words = _TOKEN.findall(text.lower())
    if len(words) < k:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


def _shingle_hashes(text: str, k: int = SHINGLE) -> np.ndarray:
    """32-bit hashes of the distinct k-word shingles of `text` (lower-cased word tokens).

    Hashes each word once (CRC32) and mixes k consecutive word hashes with numpy, instead of
    SHA-1 over every shingle string in Python (datasketch's default): the signature was a fifth
    of the clustering stage's CPU time before (bench/cluster_throughput.py profile).
    """
    words = _TOKEN.findall(text.lower())
    if len(words) < k:
        return np.asarray([zlib.crc32(" ".join(words).encode("utf-8"))] if words else [], dtype=np.uint32)
    w = np.fromiter((zlib.crc32(x.encode("utf-8")) for x in words), dtype=np.uint64, count=len(words))
    n = len(words) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        h += w[j : j + n] * _MIX[j]  # wraps modulo 2**64 (numpy arrays do not raise on overflow)
    return np.unique((h >> np.uint64(32)).astype(np.uint32))


def signature(text: str) -> np.ndarray | None:
    """MinHash hash values (uint32, NUM_PERM) of `text`, or None when it is too short to judge."""
    hv = _shingle_hashes(text)
    if len(hv) < MIN_SHINGLES:
        return None
    _minhash()  # builds the shared permutations once
    a, b = cast(np.ndarray, _PERMS)
    # datasketch's MinHash.update_batch for scheme affine32 (fmix32, then a*h + b modulo 2**32),
    # over all shingles at once
    s1, m1, s2, m2, s3 = _FMIX
    hv = hv.astype(np.uint32)[:, None]
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = hv ^ (hv >> s3)
    return (hv * a + b).min(axis=0).astype(np.uint32)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def original_key(time: float | None, seq: int) -> tuple[int, float, int]:
    """Sort key choosing the original of a group of copies: earliest known time, then ingest order."""
    return (0, time, seq) if time is not None else (1, 0.0, seq)


class NearDuplicates:
    """A streaming LSH index of signatures; keys are the caller's integer article positions."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._sigs: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._sigs)

    def query(self, sig: np.ndarray) -> list[tuple[int, float]]:
        """(key, estimated Jaccard) of stored signatures at or above the threshold, best first."""
        m = _minhash(sig)
        found = []
        for key in self._lsh.query(m):
            j = jaccard(sig, self._sigs[key])
            if j >= self.threshold:
                found.append((key, j))
        found.sort(key=lambda kv: (-kv[1], kv[0]))
        return found

    def insert(self, key: int, sig: np.ndarray) -> None:
        """Store one signature under `key`."""
        self._lsh.insert(key, _minhash(sig), check_duplication=False)
        self._sigs[key] = sig


def copies(texts: Sequence[str], times: Sequence[float | None] | None = None) -> list[int | None]:
    """For each text, the index of the text it is a copy of (the group's original), else None.

    A convenience over `NearDuplicates` for one batch; `StoryIndex` does the same incrementally.
    """
    times = list(times) if times is not None else [None] * len(texts)
    nd = NearDuplicates()
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, text in enumerate(texts):
        sig = signature(text)
        if sig is None:
            continue
        for j, _ in nd.query(sig):
            ri, rj = root(i), root(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
        nd.insert(i, sig)
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(root(i), []).append(i)
    out: list[int | None] = [None] * len(texts)
    for members in groups.values():
        if len(members) < 2:
            continue
        orig = min(members, key=lambda i: original_key(times[i], i))
        for i in members:
            if i != orig:
                out[i] = orig
    return out


__all__ = ["NearDuplicates", "copies", "jaccard", "original_key", "shingles", "signature"]
