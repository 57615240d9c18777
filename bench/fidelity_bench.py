"""Catalog fidelity over every procedure: how much is structured, what contradicts itself, and how long each
section's first message is on Telegram and on Zalo.

Run: .venv/bin/python bench/fidelity_bench.py [--catalog procedures_catalog] [--source ../shared/data/…]

Prints:
- shares of procedures whose processing time, fee and filing channels are structured, and how many say
  honestly "not stated at source" (a bare number without unit counts as unclear, said so on the card);
- fee contradictions: the portal's "Miễn phí" with a note that names a fee (resolved: the amount is shown;
  unresolved: "có thu phí" without amount), and procedures still shown as free whose source states an amount;
- for each section, the length of its first message as Telegram (visible characters of the first piece of at
  most 4,096) and Zalo (the first plain-text piece of at most 2,000, numbered choices included) receive it:
  p50 / p95 / max, and the share of answers that fit one message whole (not split);
- baseline in the same run: the whole section at once ("Xem đầy đủ", what every answer used to be): its total
  length and how many Zalo messages it takes;
- the documents targets: first message ≤ 2,000 for ≥ 95%, ≤ 4,096 for all, the form in the first three lines.

The answers are rendered by the real handlers with the office settings of config.toml, on Monday
23 November 2026 10:00 (Asia/Ho_Chi_Minh) for the due-date answer.
"""

from __future__ import annotations

import argparse
import html
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.catalog.checklist import build_checklist  # noqa: E402
from bot.catalog.fees import read_fee_text  # noqa: E402
from bot.catalog.loader import load_catalog  # noqa: E402
from bot.catalog.model import Procedure  # noqa: E402
from bot.channels.base import text_pieces  # noqa: E402
from bot.channels.split import split_message  # noqa: E402
from bot.channels.telegram import MAX_TEXT as TELEGRAM_MAX  # noqa: E402
from bot.channels.zalo_bot import CAPABILITIES as ZALO  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.contract.callbacks import Section  # noqa: E402
from bot.contract.messages import Incoming, Reply  # noqa: E402
from bot.conversation import Context  # noqa: E402
from bot.knowledge import Knowledge  # noqa: E402
from bot.schema import create_schema  # noqa: E402
from bot.storage.conversations import ChatState  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from handlers.card import procedure_card, section_reply  # noqa: E402
from handlers.documents import documents_in_full  # noqa: E402
from handlers.steps import steps_in_full  # noqa: E402

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 in Hà Nội
_TAGS = re.compile(r"<[^>]+>")


def telegram_first(reply: Reply) -> int:
    """Visible characters of the first Telegram message (entities parsed: tags gone, links as their label)."""
    first = split_message(reply.text, TELEGRAM_MAX)[0]
    return len(html.unescape(_TAGS.sub("", first)))


def zalo_pieces(reply: Reply) -> list[str]:
    """The messages Zalo gets for ``reply`` (plain text, choices as a numbered list)."""
    return [piece.text for piece in text_pieces(reply, ZALO)]


def zalo_first(reply: Reply) -> int:
    """Characters of the first Zalo message."""
    return len(zalo_pieces(reply)[0])


def zalo_messages(reply: Reply) -> int:
    """How many Zalo messages the whole reply takes."""
    return len(zalo_pieces(reply))


def telegram_messages(reply: Reply) -> int:
    """How many Telegram messages the reply's text takes."""
    return len(split_message(reply.text, TELEGRAM_MAX))


def percentile(values: list[int], share: float) -> int:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(values: list[int]) -> str:
    """"p50 / p95 / max"."""
    return f"{int(statistics.median(values)):>5} / {percentile(values, 0.95):>5} / {max(values):>5}"


def context_factory(knowledge: Knowledge) -> Callable[[], Context]:
    """Fresh conversation contexts with the office settings, a fixed clock and an empty in-memory database."""
    settings = load_settings(ROOT / "config.toml")
    incoming = Incoming(channel="bench", chat_id="bench", user_id="bench")
    db = Database("sqlite://")
    create_schema(db)
    return lambda: Context(incoming, settings, knowledge, ChatState(language="vi"), db, clock=lambda: NOW)


def shares(procedures: list[Procedure]) -> list[tuple[str, int, int]]:
    """(what, structured, said honestly to be unclear or not stated at source) per fact."""
    time_ok = sum(1 for p in procedures if p.ways and all(w.time.is_structured for w in p.ways))
    time_bare = sum(1 for p in procedures if any(w.time.is_bare_number for w in p.ways))
    fee_ok = sum(1 for p in procedures if p.ways and all(
        w.fees and all(f.free or f.amount is not None for f in w.fees) for w in p.ways))
    fee_open = sum(1 for p in procedures if any(
        not w.fees or any(f.portal_said_free and f.amount is None for f in w.fees) for w in p.ways))
    channels = sum(1 for p in procedures if p.ways)
    return [
        ("time: a number and its unit", time_ok, time_bare + sum(
            1 for p in procedures if not any(w.time.is_bare_number for w in p.ways)
            and not (p.ways and all(w.time.is_structured for w in p.ways)))),
        ("fee: free or an amount", fee_ok, fee_open),
        ("filing channels", channels, len(procedures) - channels),
    ]


def free_with_amount(p: Procedure) -> bool:
    """Shown as free although the fee note or the filing-way description names an amount."""
    return any(f.free and read_fee_text(f"{f.note} {w.description}").amounts for w in p.ways for f in w.fees)


def _section(section: Section) -> Callable[[Context, Procedure], Reply]:
    return lambda ctx, p: section_reply(ctx, p, section)


def form_in_first_lines(p: Procedure, reply: Reply) -> bool | None:
    """Whether a form everyone fills in is in the first three lines (None: the source names no such form)."""
    forms = build_checklist(p).forms
    if not forms:
        return None
    head = html.unescape(_TAGS.sub("", "\n".join(reply.text.split("\n")[:3])))
    return any(d.name[:30] in head for d in forms)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--catalog", type=Path, default=ROOT / "procedures_catalog")
    args = parser.parse_args()
    shown = f" --catalog {args.catalog}" if "--catalog" in sys.argv else ""
    print(f"$ .venv/bin/python bench/fidelity_bench.py{shown}")
    started = time.perf_counter()
    catalog = load_catalog(args.catalog)
    procedures = sorted(catalog.procedures.values(), key=lambda p: p.code)
    settings = load_settings(ROOT / "config.toml")
    knowledge = Knowledge.build(procedures, catalog.lexicon, settings.office.levels)
    new_context = context_factory(knowledge)
    n = len(procedures)
    print(f"{n} procedures from {args.catalog}\n")

    print("Procedures whose …              structured       said honestly: unclear / not stated   together")
    for what, ok, honest in shares(procedures):
        print(f"  {what:<30} {ok:>5} {ok / n:6.1%}   {honest:>5} {honest / n:6.1%}"
              f"                        {(ok + honest) / n:6.1%}")
    resolved = sum(1 for p in procedures if any(f.portal_said_free and f.amount is not None
                                                for w in p.ways for f in w.fees))
    unresolved = sum(1 for p in procedures if any(f.portal_said_free and f.amount is None
                                                  for w in p.ways for f in w.fees))
    still_free = [p.code for p in procedures if free_with_amount(p)]
    print("\nFee contradictions (portal column “Miễn phí”, note names a fee)")
    print(f"  resolved, amount shown:                    {resolved}")
    print(f"  unresolved, shown as “có thu phí” without amount: {unresolved}")
    print(f"  shown as free although the source states an amount: {len(still_free)} {still_free[:10]}")

    sections = [Section.DOCUMENTS, Section.STEPS, Section.FEES, Section.TIME, Section.DUE, Section.WHERE,
                Section.ONLINE, Section.CONDITIONS, Section.LEGAL, Section.RESULT]
    print("\nFirst message (characters)  Telegram p50 / p95 / max  one message   Zalo p50 / p95 / max  one message")
    first_docs: list[Reply] = []
    for name, render in [("card", procedure_card)] + [(s.value, _section(s)) for s in sections]:
        replies = [render(new_context(), p) for p in procedures]
        if name == Section.DOCUMENTS.value:
            first_docs = replies
        tg, zl = [telegram_first(r) for r in replies], [zalo_first(r) for r in replies]
        tg_one = sum(telegram_messages(r) == 1 for r in replies) / n
        zl_one = sum(zalo_messages(r) == 1 for r in replies) / n
        print(f"  {name:<26} {summary(tg)}     {tg_one:6.1%}   {summary(zl)}     {zl_one:6.1%}")

    print("\nBaseline, same run: the whole section at once (“Xem đầy đủ”, what every answer was before)")
    print(f"  {'':<60} total chars p50 / p95 / max   Zalo messages p50 / p95 / max")
    for name, render in (("docs", documents_in_full), ("steps", steps_in_full)):
        replies = [render(new_context(), p) for p in procedures]
        total = [len(html.unescape(_TAGS.sub("", r.text))) for r in replies]
        print(f"  {name:<60} {summary(total)}        {summary([zalo_messages(r) for r in replies])}")

    forms = [form_in_first_lines(p, r) for p, r in zip(procedures, first_docs, strict=True)]
    named = [f for f in forms if f is not None]
    print("\nDocuments targets")
    one_zalo = sum(zalo_messages(r) == 1 for r in first_docs) / n
    one_telegram = sum(telegram_messages(r) == 1 for r in first_docs) / n
    print(f"  first message whole in one Zalo message (≤ 2,000, choices included): {one_zalo:.1%} (target ≥ 95%)")
    print(f"  first message whole in one Telegram message (≤ 4,096): {one_telegram:.1%} (target 100%)")
    print(f"  a form for everyone in the first three lines: {sum(named)} of {len(named)} procedures")
    print(f"\n{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
