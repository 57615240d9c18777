"""The removal guard: a catalog edit that would drop more than a share of the procedures waits for an
administrator's confirmation, so a deleted folder never silently empties the assistant."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: How many removed codes are listed before "… and N more".
REMOVED_SHOWN = 20


def removed_codes(before: Iterable[str], after: Iterable[str]) -> tuple[str, ...]:
    """Codes served ``before`` that are missing ``after``, sorted."""
    return tuple(sorted(set(before) - set(after)))


def too_many_removed(removed: int, before: int, max_share: float) -> bool:
    """Whether removing ``removed`` of ``before`` procedures is more than ``max_share`` (0.01 = 1%)."""
    return before > 0 and removed > max_share * before


def list_removed(codes: Sequence[str], limit: int = REMOVED_SHOWN) -> str:
    """The first ``limit`` codes, comma-separated, then "(+N)" for the rest."""
    shown = ", ".join(codes[:limit])
    rest = len(codes) - limit
    return f"{shown} (+{rest})" if rest > 0 else shown
