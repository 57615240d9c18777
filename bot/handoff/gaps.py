"""Learning from what failed: every not-found answer and every question sent to an officer, anonymised,
with what search returned; grouped into the most frequent unanswered questions for administrators.

Grouping is in two steps. Each entry has a ``key``: its words without diacritics, scaffolding words
("cho hỏi", "thủ tục", "làm", …) and duplicates, sorted — so "làm sổ đỏ ở đâu" and "sổ đỏ làm ở đâu"
share a key, and the database counts keys with one GROUP BY. Then the ``FUZZY_KEYS`` most frequent
keys are merged greedily (see ``_merge``) when their token-set similarity is at least ``SIMILARITY`` (rapidfuzz), so
"lam so do cho dat vuon" joins "lam so do dat vuon". A group shows its most frequent wording and the
procedures search most often offered for it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.handoff.anonymise import anonymise
from bot.handoff.models import GapEntry, GapKind
from bot.search.normalize import tokenize
from bot.search.stopwords import STOPWORDS

_PLACEHOLDER = re.compile(r"\[[^\]]{1,12}\]")
FUZZY_KEYS = 200
SIMILARITY = 88.0
EXAMPLES_PER_KEY = 50
KEYS_SAMPLED = 10  # a group's most frequent keys sampled for its wording and procedures
MAX_TEXT = 500


def group_key(text: str) -> str:
    """Sorted distinct content words of ``text`` without diacritics ("" when nothing is left)."""
    words = sorted({t for t in tokenize(_PLACEHOLDER.sub(" ", text)) if t not in STOPWORDS})
    return " ".join(words)[:255]


def log_gap(session: Session, kind: GapKind, text: str, codes: list[str], now: datetime) -> None:
    """Keep one anonymised entry (the caller commits)."""
    masked = anonymise(text)[:MAX_TEXT]
    session.add(GapEntry(kind=kind.value, text_masked=masked, key=group_key(masked), codes=codes[:5], created_at=now))


@dataclass
class Gap:
    """A group of similar questions search could not answer."""

    count: int
    text: str  # the most frequent (anonymised) wording
    keys: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # closest procedures, most often offered first
    asked: int = 0  # how many of them were sent to an officer


def _counts(session: Session, since: datetime, until: datetime) -> list[tuple[str, int, int]]:
    """(key, entries, entries sent to an officer) per key in the period, most frequent first."""
    asked = func.sum(case((GapEntry.kind == GapKind.ASKED.value, 1), else_=0))
    rows = session.execute(
        select(GapEntry.key, func.count(), asked)
        .where(GapEntry.created_at >= since, GapEntry.created_at < until, GapEntry.key != "")
        .group_by(GapEntry.key)
        .order_by(func.count().desc(), GapEntry.key)
    )
    return [(key, int(n), int(a or 0)) for key, n, a in rows]


def _merge(counts: list[tuple[str, int, int]]) -> list[Gap]:
    """Greedy fuzzy grouping of the most frequent keys: each joins the first more frequent key it resembles
    that leads a group (one similarity matrix, computed by rapidfuzz in C++)."""
    import numpy as np  # numpy and rapidfuzz only for the report, not at the assistant's start
    from rapidfuzz import fuzz, process

    head = counts[:FUZZY_KEYS]
    keys = [key for key, _n, _a in head]
    similar = process.cdist(keys, keys, scorer=fuzz.token_set_ratio, score_cutoff=SIMILARITY, dtype=np.uint8) \
        if keys else np.zeros((0, 0), dtype=np.uint8)
    groups: list[Gap] = []
    leaders: list[int] = []  # row of each group's first key
    for i, (key, n, asked) in enumerate(head):
        hits = np.flatnonzero(similar[leaders, i]) if leaders else np.array([], dtype=np.int64)
        if hits.size == 0:
            leaders.append(i)
            groups.append(Gap(count=n, text="", keys=[key], asked=asked))
            continue
        gap = groups[int(hits[0])]
        gap.count, gap.asked = gap.count + n, gap.asked + asked
        gap.keys.append(key)
    groups += [Gap(count=n, text="", keys=[key], asked=asked) for key, n, asked in counts[FUZZY_KEYS:]]
    groups.sort(key=lambda g: -g.count)
    return groups


def _samples(session: Session, keys: list[str], since: datetime, until: datetime) -> dict[str, list[Any]]:
    """Up to ``EXAMPLES_PER_KEY`` (text, codes) of each key, in one query (a window over the key index)."""
    rank = func.row_number().over(partition_by=GapEntry.key, order_by=GapEntry.id).label("rank")
    inner = (
        select(GapEntry.key, GapEntry.text_masked, GapEntry.codes, rank)
        .where(GapEntry.key.in_(keys), GapEntry.created_at >= since, GapEntry.created_at < until)
        .subquery()
    )
    found: dict[str, list[Any]] = {}
    for key, text, codes in session.execute(select(inner.c.key, inner.c.text_masked, inner.c.codes)
                                            .where(inner.c.rank <= EXAMPLES_PER_KEY)):  # fmt: skip
        found.setdefault(key, []).append((text, codes))
    return found


def _describe(gap: Gap, samples: dict[str, list[Any]]) -> None:
    """Fill in the most frequent wording and the closest procedures from the samples of the group's keys."""
    rows = [row for key in gap.keys[:KEYS_SAMPLED] for row in samples.get(key, [])]
    texts = Counter(" ".join(str(t).lower().split()) for t, _codes in rows)
    gap.text = texts.most_common(1)[0][0] if texts else gap.keys[0]
    codes: Counter[str] = Counter()
    for _text, found in rows:
        for rank, code in enumerate(found or []):
            codes[str(code)] += 5 - min(rank, 4)
    gap.codes = [code for code, _n in codes.most_common(3)]


def gaps_report(session: Session, since: datetime, until: datetime, limit: int = 20) -> list[Gap]:
    """The ``limit`` most frequent groups of unanswered questions between ``since`` and ``until``."""
    top = _merge(_counts(session, since, until))[:limit]
    samples = _samples(session, [key for gap in top for key in gap.keys[:KEYS_SAMPLED]], since, until)
    for gap in top:
        _describe(gap, samples)
    return top
