"""Split each labelled set into a training part and a held-out test part.

The split is deterministic: a question goes to the test part when the first byte of the SHA-256 of its
folded text (lower case, no diacritics, single spaces) is odd, so about half of each set lands on each
side, the same question always lands on the same side, and re-running never moves a question.  Comment
lines are copied to both parts with a note on how they were made.

Usage: ``python bench/data/split.py [--check]`` (``--check`` only verifies the parts are up to date).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from check import RULES, fold

HERE = Path(__file__).resolve().parent


def is_test(query: str) -> bool:
    """True when the question belongs to the held-out test part."""
    return hashlib.sha256(fold(query).encode("utf-8")).digest()[0] % 2 == 1


def split_text(text: str, name: str) -> tuple[str, str]:
    """Return the (train, test) file contents for one combined set."""
    header: list[str] = []
    train: list[str] = []
    test: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            header.append(line)
        elif line.strip():
            (test if is_test(line.split("\t", 1)[0]) else train).append(line)
    note = f"# Made by bench/data/split.py from {name}.tsv (stable hash of the folded question); do not edit."
    return ("\n".join([*header, note, *train]) + "\n", "\n".join([*header, note, *test]) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, verify) every *_train.tsv and *_test.tsv."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a part is missing or stale")
    parser.add_argument("--data", type=Path, default=HERE)
    args = parser.parse_args(argv)
    stale: list[str] = []
    for name in RULES:
        combined = args.data / f"{name}.tsv"
        train, test = split_text(combined.read_text(encoding="utf-8"), name)
        for suffix, content in (("train", train), ("test", test)):
            path = args.data / f"{name}_{suffix}.tsv"
            rows = sum(1 for line in content.splitlines() if not line.startswith("#"))
            if args.check:
                if not path.exists() or path.read_text(encoding="utf-8") != content:
                    stale.append(path.name)
                continue
            path.write_text(content, encoding="utf-8")
            print(f"{path.name}: {rows} questions")
    for name in stale:
        print(f"STALE {name}: run python bench/data/split.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
