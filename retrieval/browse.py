"""Searching the content library by text, with the same reading of a query as asking.

Why: a clinician who types "hyperkalaemia" or "afib anticoag" in the library search should
find what asking would find. The query is read like a question (spelling, shorthand, brand
names) and a card matches when it mentions every clinical key term. Lexical only, so
browsing never loads the encoder; queries are capped so a pasted essay cannot cost seconds.
"""

from __future__ import annotations

from functools import lru_cache

from retrieval.abbreviations import expand_abbreviations
from retrieval.abstention import KeyTerm, key_terms, mentions
from retrieval.lexical import terms
from retrieval.models import Document
from retrieval.query import understand

MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 12


def matching(documents: list[Document], query: str) -> list[Document]:
    """Documents that mention every key term of the query; those whose title does first."""
    wanted = query_terms(query)
    if not wanted:
        return documents
    found = [doc for doc in documents
             if all(mentions(_stems(f"{doc.title} {doc.text}"), t) for t in wanted)]
    return sorted(found, key=lambda doc: -sum(mentions(_stems(doc.title), t) for t in wanted))


@lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    """A text's stems, kept between searches (a card's text changes only on re-ingest)."""
    return frozenset(terms(text))


def query_terms(query: str) -> list[KeyTerm]:
    """The clinical key terms of a library search, shorthand expanded, at most a dozen."""
    understood = understand(query[:MAX_QUERY_CHARS])
    text = understood.topic or understood.search
    return list(key_terms(expand_abbreviations(text)).values())[:MAX_QUERY_TERMS]
