"""What a user typed into the search box, made safe for either engine.

The user never writes engine syntax. We parse a small, forgiving language of
our own (the one people know from web search engines) into terms, and each
engine renders those terms into its own query syntax from scratch. Every token
is reduced to letters and digits first, so nothing a user types (quotes,
brackets, `*`, `NEAR`, `:`, backslashes, NULs) can reach the engine's parser
as syntax, and no input can make the database raise.

The language:
- words are all required: `export timeout`
- `"a phrase"` (an unbalanced quote runs to the end)
- `word*` matches words starting with `word` (at least three letters)
- `OR` between two terms: either will do: `export OR import`
- `-word` / `-"a phrase"` leaves out what contains it (ignored if nothing else is asked)
- punctuation inside a word makes a phrase of its parts, the way both indexes
  split it: `FL-10427` is `"fl 10427"`, `bob@standard.example` is
  `"bob standard example"`, `4.2` is `"4 2"`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from frontline.core.errors import InvalidInput

# A query longer than this is refused: nobody types it, and scanning the
# index for hundreds of terms is how one request slows everyone down.
MAX_QUERY_LENGTH = 500
MAX_TERMS = 16
MAX_PHRASE_TOKENS = 12
# PostgreSQL rejects tsquery lexemes over 2047 bytes; indexes skip such words anyway.
MAX_TOKEN_LENGTH = 100
MIN_PREFIX_LENGTH = 3

# What both indexes treat as a word: runs of letters and digits. `_` is a
# separator for FTS5's unicode61 tokenizer, and we make PostgreSQL agree.
TOKEN_RE = re.compile(r"[^\W_]+")
_CHUNK_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """One word (one token) or a phrase (several tokens in a row)."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    # All of these are required; each is satisfied by any one of its terms.
    clauses: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    @property
    def highlight_terms(self) -> tuple[Term, ...]:
        return tuple(term for clause in self.clauses for term in clause)


def fold(token: str) -> str:
    """Case- and accent-insensitive form, as FTS5's unicode61 remove_diacritics sees it."""
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens_of(text: str) -> list[str]:
    return [t.lower() for t in TOKEN_RE.findall(text) if len(t) <= MAX_TOKEN_LENGTH]


def parse_query(text: str) -> ParsedQuery:
    """Parse what the user typed. Raises InvalidInput(field="q") only for an over-long query."""
    text = (text or "").replace("\x00", " ").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            f"The search is longer than {MAX_QUERY_LENGTH} characters; shorten it.", field="q")
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for match in _CHUNK_RE.finditer(text):
        negate, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare == "OR":
                join_next = bool(clauses)
                continue
            negate = "-" if bare.startswith("-") and len(bare) > 1 else ""
            word = bare[1:] if negate else bare
            prefix = word.endswith("*")
        else:
            word, prefix = quoted or "", False
        tokens = tokens_of(word)[:MAX_PHRASE_TOKENS]
        if not tokens:
            continue
        # A one- or two-letter prefix would match half the dictionary.
        prefix = prefix and len(tokens[-1]) >= MIN_PREFIX_LENGTH
        term = Term(tuple(tokens), prefix)
        if negate:
            excluded.append(term)
        elif join_next:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        join_next = False
        if len(clauses) + len(excluded) >= MAX_TERMS:
            break
    return ParsedQuery(
        text=text,
        clauses=tuple(tuple(clause) for clause in clauses),
        excluded=tuple(excluded) if clauses else (),
    )


class Highlighter:
    """Finds the words a query matched in a text, the way the indexes match them."""

    def __init__(self, terms: tuple[Term, ...]) -> None:
        self.exact: set[str] = set()
        self.prefixes: list[str] = []
        for term in terms:
            *body, last = (fold(token) for token in term.tokens)
            self.exact.update(body)
            if term.prefix:
                self.prefixes.append(last)
            else:
                self.exact.add(last)

    def is_match(self, token: str) -> bool:
        folded = fold(token)
        return folded in self.exact or any(folded.startswith(p) for p in self.prefixes)

    def matches(self, text: str) -> bool:
        return any(self.is_match(m.group()) for m in TOKEN_RE.finditer(text))
