"""Batch search over JSON lines: one question per input line, one JSON object per output line."""

from __future__ import annotations

import json
from typing import IO, Any

from bot.search.engine import SearchEngine

BATCH_LIMIT = 5


def answer_line(engine: SearchEngine, query: str, *, translated: bool = False) -> dict[str, Any]:
    """The output object for one question (never raises on odd input); ``translated`` as for the engine."""
    query = query.rstrip("\r\n")
    try:
        result = engine.search(query, limit=BATCH_LIMIT, translated=translated) if query.strip() else None
    except Exception:  # a batch must keep going; an unexpected failure is an empty answer
        result = None
    if result is None:
        return {"query": query, "answer": None, "results": []}
    return {
        "query": query,
        "answer": result.answer,
        "results": [{"code": h.code, "name": h.name, "score": h.score} for h in result.results],
    }


def run_jsonl(engine: SearchEngine, in_stream: IO[str], out_stream: IO[str]) -> int:
    """Answer every line of ``in_stream`` in order, writing JSON lines; returns the number written."""
    n = 0
    for line in in_stream:
        out_stream.write(json.dumps(answer_line(engine, line), ensure_ascii=False) + "\n")
        n += 1
    out_stream.flush()
    return n
