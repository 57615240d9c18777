"""Import shape of the code: imports from bot/ into handlers/, import cycles between packages.

Usage (from the repository root): ``.venv/bin/python scripts/import_report.py`` (grimp comes with
import-linter). A package is a folder of ``bot/`` (``bot.dossiers``), a top-level module of ``bot/``
(``bot.app``) or ``handlers``.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import grimp

sys.path.insert(0, str(Path.cwd()))


def package_of(module: str) -> str:
    """``bot.dossiers.store`` → ``bot.dossiers``; ``handlers.router`` → ``handlers``."""
    parts = module.split(".")
    return "handlers" if parts[0] == "handlers" else ".".join(parts[:2])


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    graph = grimp.build_graph("bot", "handlers")
    lines = 0
    edges: dict[str, set[str]] = defaultdict(set)
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            if importer.startswith("bot") and imported.startswith("handlers"):
                lines += len(graph.get_import_details(importer=importer, imported=imported))
            a, b = package_of(importer), package_of(imported)
            if a != b:
                edges[a].add(b)
    print(f"import statements from bot/ into handlers/: {lines}")
    loops = cycles(edges)
    print(f"import cycles between packages: {len(loops)}")
    for group in loops:
        print(f"  {len(group)} packages: {', '.join(group)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
