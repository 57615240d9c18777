"""Procedure search: normalisation, lexicon expansion, BM25F retrieval, re-ranking and confidence."""

from bot.search.engine import Hit, SearchEngine, SearchResult

__all__ = ["Hit", "SearchEngine", "SearchResult"]
