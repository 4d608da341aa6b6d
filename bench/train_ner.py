"""Train storydesk's small English NER model and ship it in the package.

Reads ../shared/data/ner-gum (train for training, dev for model selection / early stopping),
writes spaCy DocBins under build/ner/ (git-ignored; the data is never copied into the repo),
runs `spacy train` with bench/ner/config.cfg under `nice`, and copies the best model to
src/storydesk/models/ner/. Then run bench/ner_eval.py for the F1 table.

    .venv/bin/python bench/train_ner.py [--data ../shared/data/ner-gum] [--threads 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "bench" / "ner" / "config.cfg"
BUILD = ROOT / "build" / "ner"
TARGET = ROOT / "src" / "storydesk" / "models" / "ner"


def gum_docbin(path: Path, out: Path) -> int:
    """Convert one GUM jsonl.gz split to a spaCy DocBin; returns the sentence count."""
    import spacy
    from spacy.tokens import Doc, DocBin

    nlp = spacy.blank("en")
    db = DocBin()
    n = 0
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            doc = Doc(nlp.vocab, words=row["tokens"], spaces=row["spaces"], ents=row["tags"])
            db.add(doc)
            n += 1
    db.to_disk(out)
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "ner-gum")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-install", action="store_true", help="train only; leave the package model alone")
    args = ap.parse_args()

    BUILD.mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev"):
        n = gum_docbin(args.data / f"{split}.jsonl.gz", BUILD / f"{split}.spacy")
        print(f"{split}: {n} sentences")

    out = BUILD / "output"
    if out.exists():
        shutil.rmtree(out)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    cmd = [
        "nice", sys.executable, "-m", "spacy", "train", str(CONFIG),
        "--output", str(out),
        "--paths.train", str(BUILD / "train.spacy"),
        "--paths.dev", str(BUILD / "dev.spacy"),
    ]  # fmt: skip
    t0 = time.time()
    subprocess.run(cmd, check=True, env=env)
    print(f"trained in {time.time() - t0:.0f} s")

    if not args.no_install:
        best = out / "model-best"
        if TARGET.exists():
            shutil.rmtree(TARGET)
        shutil.copytree(best, TARGET)
        size = sum(p.stat().st_size for p in TARGET.rglob("*") if p.is_file())
        print(f"installed {TARGET.relative_to(ROOT)} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
