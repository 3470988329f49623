"""Chinese full-text search for the case library: a character n-gram index that runs on SQLite and PostgreSQL.

Why n-grams, and not the database's full-text search or a word segmenter
--------------------------------------------------------------------------
Chinese is written without spaces, so word-based full-text search (PostgreSQL's
``to_tsvector('simple', …)``, SQLite FTS5's default tokenizer, Wagtail's database
backend) sees a whole sentence as one "word" and finds nothing inside it. The options:

* **Word segmentation** (jieba and friends) at index and query time. Good precision, but
  it adds a dictionary-driven dependency, its output depends on the dictionary version,
  and a word it splits differently at query time than at index time (占地 inside
  非法占地建房) is silently missed — exactly the short legal terms officers type.
* **Database-specific features** (``pg_trgm``, ``zhparser``, FTS5 ``trigram``): different
  on each database, extensions to install on the government servers, and trigrams cannot
  match the two-character words (秸秆, 占地) that make up most queries.
* **Character bigrams in our own table** (chosen). Every run of Chinese characters is cut
  into overlapping pairs (非法占地 → 非法, 法占, 占地) plus single characters; runs of
  Latin letters and digits are kept whole. A query is cut the same way and a case matches
  when it holds *every* pair of the query, so any two-character word, any longer phrase
  and any power's name (indexed with the case) is found with no dictionary at all. The
  same plain SQL (``term IN (…) GROUP BY page HAVING COUNT(*) = n``, ordered by summed
  weights) runs unchanged on both databases through the ORM, over one composite index
  ``(term, page, weight)``, which both can answer from the index alone.

Ranking: each term carries a weight — how often it occurs, multiplied by where (title ×8,
the power's name and the case number ×4, legal questions and lessons ×2, the rest ×1), so
a case *about* 秸秆 outranks one that mentions it once. If no case holds every pair of a
multi-pair query, the cases holding most of them are offered as "near matches", which
keeps a typo or an over-long query from ending on an empty page.

The cost is index size (about 1,000–1,500 rows per case), which is small for a library
of thousands of cases; see ``docs/case-search.md`` and ``bench/cases_search.py``.

This module is pure text processing (no database): cutting text into terms, parsing a
query, and highlighting matches with HTML escaped safely.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = [
    "TERM_MAX_LENGTH",
    "SearchQuery",
    "text_normalise",
    "text_segments",
    "segment_terms",
    "document_terms",
    "query_parse",
    "text_highlight",
    "text_snippet",
]

#: Longest stored term (Latin/digit words are truncated to it).
TERM_MAX_LENGTH = 32
#: A query is cut to this many words and terms, so a pasted paragraph stays cheap.
MAX_QUERY_WORDS = 8
MAX_QUERY_TERMS = 24

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SEGMENT_RE = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_CJK_RE = re.compile(rf"[{_CJK}]")


# Full-width ASCII (Ａ, １, ＃) and the ideographic space fold to their ASCII forms, the part
# of NFKC that matters for typed queries; done with str.translate because it keeps offsets.
_WIDTH_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _char_normal(char: str) -> str:
    """One character, width-folded and lower-cased, still one character (keeps offsets)."""
    folded = unicodedata.normalize("NFKC", char).lower()
    if len(folded) == 1:
        return folded
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def text_normalise(text: str) -> str:
    """Full-width letters and digits folded to ASCII, lower case, same length as the input.

    The same length matters: highlighting finds matches in the normalised text and marks
    the very same positions in the original.
    """
    fast = text.translate(_WIDTH_FOLD).lower()
    if len(fast) == len(text):
        return fast
    return "".join(_char_normal(c) for c in text)  # a character whose lower case is longer


def text_segments(text: str) -> list[str]:
    """Runs of Chinese characters, and Latin/digit words, of the normalised text."""
    return _SEGMENT_RE.findall(text_normalise(text))


def segment_terms(segment: str) -> list[str]:
    """The index terms of one segment: bigrams and single characters, or the whole word."""
    if not _CJK_RE.match(segment):
        return [segment[:TERM_MAX_LENGTH]]
    terms = list(segment)
    terms.extend(segment[i : i + 2] for i in range(len(segment) - 1))
    return terms


def document_terms(weighted_texts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Every term of a document with its weight: occurrences × the weight of the field."""
    weights: Counter[str] = Counter()
    for text, weight in weighted_texts:
        if not text:
            continue
        for segment in text_segments(text):
            for term in segment_terms(segment):
                weights[term] += weight
    return dict(weights)


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: the words typed (for highlighting) and the terms to look up."""

    text: str
    words: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.terms)


def _query_terms(word: str) -> list[str]:
    if not _CJK_RE.match(word):
        return [word[:TERM_MAX_LENGTH]]
    if len(word) == 1:
        return [word]
    return [word[i : i + 2] for i in range(len(word) - 1)]


def query_parse(text: str) -> SearchQuery:
    """Cut a query like the documents: each word's bigrams (a lone character stays one term)."""
    text = (text or "").strip()
    words = list(dict.fromkeys(text_segments(text)))[:MAX_QUERY_WORDS]
    terms: list[str] = []
    for word in words:
        for term in _query_terms(word):
            if term not in terms:
                terms.append(term)
    return SearchQuery(text=text, words=words, terms=terms[:MAX_QUERY_TERMS])


def _match_mask(text: str, query: SearchQuery) -> list[bool]:
    """Which characters of `text` belong to a match: whole words first, else their bigrams."""
    normal = text_normalise(text)
    mask = [False] * len(text)
    needles: list[str] = []
    for word in query.words:
        if word in normal:
            needles.append(word)
        else:
            needles.extend(t for t in _query_terms(word) if len(t) > 1 or len(word) == 1)
    for needle in sorted(set(needles), key=len, reverse=True):
        start = normal.find(needle)
        while start != -1:
            for i in range(start, start + len(needle)):
                mask[i] = True
            start = normal.find(needle, start + len(needle))
    return mask


def text_highlight(text: str, query: SearchQuery) -> SafeString:
    """`text` as HTML with every match wrapped in <mark>; everything else escaped."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty string
    if not query:
        return escape(text)
    mask = _match_mask(text, query)
    parts: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and mask[j] == mask[i]:
            j += 1
        chunk = escape(text[i:j])
        parts.append(f"<mark>{chunk}</mark>" if mask[i] else chunk)
        i = j
    # Every piece of `text` went through escape(); only our own <mark> tags are raw.
    return mark_safe("".join(parts))  # noqa: S308


def text_snippet(text: str, query: SearchQuery, *, width: int = 90) -> SafeString:
    """About `width` characters of `text` around its first match, highlighted; the start if none."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text_highlight(text, query)
    start = 0
    if query:
        mask = _match_mask(text, query)
        first = next((i for i, hit in enumerate(mask) if hit), None)
        if first is not None:
            start = max(0, min(first - width // 4, len(text) - width))
    piece = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(f"{prefix}{text_highlight(piece, query)}{suffix}")  # noqa: S308
