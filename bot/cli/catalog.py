"""``python -m bot catalog reload [--allow-removals]``, ``catalog aliases``, ``catalog add-question`` and the refusal
to start without a good catalog."""

from __future__ import annotations

import sys
from pathlib import Path
from textwrap import shorten

from bot.catalog.guard import list_removed
from bot.catalog.loader import CatalogError
from bot.catalog.problems import format_problems
from bot.config import Settings


def reload(settings: Settings, allow_removals: bool) -> int:
    """Check the catalog files and keep them as the last good catalog (running assistants follow within
    ``reload_seconds``); 1 when they have problems or remove too much without ``allow_removals``."""
    from bot.knowledge import catalog_holder

    state_dir = settings.resolve(settings.catalog.state_dir)
    try:
        holder = catalog_holder(settings)
    except CatalogError as error:
        print(format_problems(error.problems), file=sys.stderr)
        print(f"{len(error.problems)} problem(s); no last good catalog in {state_dir} either", file=sys.stderr)
        return 1
    result = holder.reload(allow_removals=allow_removals)
    served = len(holder.catalog.procedures)
    if result.problems:
        print(format_problems(result.problems), file=sys.stderr)
        print(f"{len(result.problems)} problem(s); the last good catalog ({served} procedures) keeps serving",
              file=sys.stderr)  # fmt: skip
        return 1
    if result.awaiting_confirmation:
        share = settings.catalog.max_removal_share
        print(f"refused: this edit removes {len(result.removed)} of {served} procedures (more than {share:.0%}): "
              f"{list_removed(result.removed)}", file=sys.stderr)  # fmt: skip
        print("if that is intended: python -m bot catalog reload --allow-removals", file=sys.stderr)
        return 1
    removed = f", {len(result.removed)} removed ({list_removed(result.removed)})" if result.removed else ""
    print(f"catalog accepted: {served} procedures{removed}; kept as the last good catalog in {state_dir}; "
          f"running assistants serve it within {settings.catalog.reload_seconds:g} s")  # fmt: skip
    return 0


def refuse_to_start(error: CatalogError, settings: Settings) -> int:
    """A start with a broken catalog and no last good one: the problems, then the exit code 3."""
    print(format_problems(error.problems), file=sys.stderr)
    print(f"cannot start: {len(error.problems)} problem(s) in the catalog "
          f"{settings.resolve(settings.catalog.path)} and no last good catalog in "
          f"{settings.resolve(settings.catalog.state_dir)}; fix the files listed above "
          "(python -m bot catalog validate checks them)", file=sys.stderr)  # fmt: skip
    return 3


def check_aliases(settings: Settings) -> int:
    """Ask every alias as a question and list those whose own procedure does not come first (report only)."""
    from bot.knowledge import catalog_knowledge, open_catalog
    from bot.search.aliases import alias_misses

    knowledge = catalog_knowledge(open_catalog(settings), settings)
    procedures = knowledge.procedures
    checked, misses = alias_misses(knowledge.engine, procedures.values())
    for miss in misses:
        proc = procedures.get(miss.found) if miss.found else None
        found = shorten(proc.name, 80) if proc else "nothing"
        how = "answered" if miss.answered else "listed first"
        print(f"{miss.code}: {miss.alias!r} → {how}: {miss.found or '-'} {found}")
    wrong = sum(m.answered for m in misses)
    print(f"{checked} aliases; {checked - len(misses)} find their own procedure first; {len(misses)} do not "
          f"({wrong} of them answered with another procedure)")  # fmt: skip
    return 0


def add_question(root: Path, question: str, codes: list[str]) -> int:
    """Write an example question with the codes that answer it into the catalog's ``questions.tsv`` (above the
    generated lines); 1 when a code is not in the catalog, the question is malformed or already there."""
    from bot.catalog.loader import load_catalog
    from bot.catalog.questions import NO_PROCEDURE, QUESTIONS_FILE, add_example

    try:
        procedures = load_catalog(root).procedures
    except CatalogError as error:
        print(format_problems(error.problems), file=sys.stderr)
        print("fix the catalog first (python -m bot catalog validate)", file=sys.stderr)
        return 1
    wanted = tuple(dict.fromkeys(c.strip() for code in codes for c in code.split(",") if c.strip()))
    unknown = [] if wanted == (NO_PROCEDURE,) else [c for c in wanted if c not in procedures]
    if unknown:
        print(f"không có thủ tục mã {', '.join(unknown)} trong danh mục {root}", file=sys.stderr)
        return 1
    path = root / QUESTIONS_FILE
    try:
        line = add_example(path, question, wanted)
    except ValueError as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 1
    names = "; ".join(shorten(procedures[c].name, 70, placeholder="…") for c in wanted if c in procedures) or (
        "no procedure of the catalog (such messages are not answered with one)")
    print(f"{path}:{line}: added → {names}; running assistants serve it from their next reload "
          "([catalog].reload_seconds)")
    return 0
