"""The inverted index: BM25F weights over syllable unigrams and bigrams of each procedure's fields."""

from __future__ import annotations

import math
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar, overload

import numpy as np
from numpy.typing import NDArray

from bot.catalog.model import Document, Procedure
from bot.search.grouping import strip_levels
from bot.search.normalize import accented_tokens, bigrams, canon, fold, tokenize
from bot.search.stopwords import STOPWORDS

# Field weights: the name and the aliases say what a procedure is; the result document and the
# field (lĩnh vực) only hint at it.
FIELD_WEIGHTS: dict[str, float] = {
    "name": 3.0,
    "aliases": 3.0,
    "result": 0.7,
    "field": 0.5,
    # the rest of the record: who files it, when it applies, what to hand in (long questions tell these)
    "applicants": 0.25,
    "conditions": 0.15,
    "documents": 0.15,
}
K1 = 1.2
B = 0.5
BIGRAM_SELECTS = 2.0  # a bigram is frequent (selects no candidates) only at this many times a syllable's limit
# Words too generic to tell procedures apart when a name is compared with a query.
GENERIC: frozenset[str] = frozenset({"thu", "tuc", "cap", "giay", "doi", "voi", "truong", "hop", "cua", "va"})
# Phrases that turn a base procedure into a special case (re-issue, change, mobile, foreign…). A name
# carrying one the query does not mention is a worse answer than the base procedure.
FOREIGN_ELEMENT = "yeu to nuoc ngoai"  # the marker a message naming another country states in other words
MARKERS: tuple[str, ...] = (
    "luu dong",
    "cap lai",
    "dang ky lai",
    "cap doi",
    "gia han",
    "dieu chinh",
    "thu hoi",
    "cham dut",
    "xoa",
    "huy",
    "thay doi",
    "sua doi",
    "bo sung",
    FOREIGN_ELEMENT,
    "bien gioi",
    "tam ngung",
    "khoi phuc",
    "dinh chinh",
    "chuyen doi",
    "ban sao",
    "lien thong",
    "dung thuc hien",
    "tra lai",
)


# The markers as names are tokenised: canonical spelling ("đăng ký lại" → "dang ki lai").
_MARKER_FORMS: tuple[str, ...] = tuple(" ".join(canon(t) for t in m.split()) for m in MARKERS)


def result_text(proc: Procedure) -> str:
    """The result document's name, without portal noise after "Mã:"."""
    return proc.result.split("Mã:", 1)[0]


@dataclass(slots=True)
class DocInfo:
    """What ranking needs to know about one indexed procedure."""

    code: str
    name: str
    group: int
    primary: frozenset[str]  # syllables of name + aliases, folded and as written (with diacritics)
    secondary: frozenset[str]  # the same for the result document and the field
    name_terms: dict[str, float]  # informative folded syllables heading the name → IDF
    name_folded: str
    markers: tuple[tuple[str, ...], ...]  # special-case phrases in the name, as syllable tuples
    named_by: tuple[frozenset[str], ...]  # the words of the name, then of each alias, a question naming it says
    for_people: bool  # individuals may file it (or the applicants are unknown)
    audience: str  # "staff" (police/army staff only), "customs" (declarants), "organisation", or "citizen"


def indexed_part(proc: Procedure) -> Procedure:
    """``proc`` reduced to what building the engine reads (:func:`_field_texts`, :func:`_doc_info`, grouping,
    situations): the same index from a fraction of the memory (no portal text, filing ways, steps…).
    Reading another field of the procedure when indexing means keeping it here too."""
    return Procedure.model_construct(
        code=proc.code, name=proc.name, levels=proc.levels, field=proc.field, ministry=proc.ministry,
        aliases=proc.aliases, applicants=proc.applicants, conditions=proc.conditions, result=proc.result,
        documents=[Document.model_construct(name=d.name) for d in proc.documents],
    )  # fmt: skip


def _field_texts(proc: Procedure) -> dict[str, list[str]]:
    return {
        "name": [strip_levels(proc.name)],
        "aliases": list(proc.aliases),
        "result": [result_text(proc)],
        "field": [proc.field],
        "applicants": [proc.applicants],
        "conditions": [proc.conditions[:600]],
        "documents": [" ".join(d.name for d in proc.documents)[:600]],
    }


_T = TypeVar("_T")


class Postings(Mapping[str, tuple["array[int]", "array[float]"]]):
    """Term → (document numbers, weights), all terms' lists kept end to end in two flat arrays: a tenth of
    the memory of a pair of small arrays per term, and one object each to store and read back. A lookup
    returns copies of the term's stretch (the same numbers the per-term arrays held)."""

    __slots__ = ("_docs", "_offsets", "_position", "_weights")

    def __init__(self, lists: Mapping[str, tuple[array[int], array[float]]]) -> None:
        self._position = {term: i for i, term in enumerate(lists)}
        self._offsets = array("I", [0])
        self._docs: array[int] = array("I")
        self._weights: array[float] = array("f")
        for docs, weights in lists.values():
            self._docs.extend(docs)
            self._weights.extend(weights)
            self._offsets.append(len(self._docs))

    def __getitem__(self, term: str) -> tuple[array[int], array[float]]:
        i = self._position[term]
        start, end = self._offsets[i], self._offsets[i + 1]
        return self._docs[start:end], self._weights[start:end]

    @overload
    def get(self, term: str, /) -> tuple[array[int], array[float]] | None: ...
    @overload
    def get(self, term: str, /, default: _T) -> tuple[array[int], array[float]] | _T: ...
    def get(self, term: str, /, default: object = None) -> object:
        """The term's lists, or ``default`` (a dictionary look-up: no exception for the many terms no procedure
        has, as ``Mapping.get`` would raise and catch)."""
        return self[term] if term in self._position else default

    def __contains__(self, term: object) -> bool:
        return term in self._position

    def __iter__(self) -> Iterator[str]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)

    def count(self, term: str) -> int:
        """The number of documents holding ``term`` (0 for a term none has), read without copying its list."""
        i = self._position.get(term)
        return 0 if i is None else self._offsets[i + 1] - self._offsets[i]

    def flat(self) -> tuple[dict[str, int], array[int], array[int], array[float]]:
        """The layout itself, read without copies: term → its number i, whose stretch of the documents and
        weights runs from offsets[i] to offsets[i + 1]."""
        return self._position, self._offsets, self._docs, self._weights

    def __getstate__(self) -> tuple[list[str], array[int], array[int], array[float]]:
        return list(self._position), self._offsets, self._docs, self._weights

    def __setstate__(self, state: tuple[list[str], array[int], array[int], array[float]]) -> None:
        terms, self._offsets, self._docs, self._weights = state
        self._position = {term: i for i, term in enumerate(terms)}


class InvertedIndex:
    """Term → postings (document numbers, BM25F weights); unigrams and bigrams share one table."""

    def __init__(self, procedures: Sequence[Procedure], groups: Sequence[int]) -> None:
        # Two passes over the procedures, each tokenizing them: the field lengths (and what ranking keeps of
        # each document) first, then each document's term weights, so no document's term counts outlive it.
        n_docs = len(procedures)
        field_lens: dict[str, list[int]] = defaultdict(list)
        self.docs: list[DocInfo] = []
        spelled: set[str] = set()
        for proc, group in zip(procedures, groups, strict=True):
            texts = _field_texts(proc)
            field_toks = _field_tokens(texts)
            for field_texts in texts.values():
                for text in field_texts:
                    spelled.update(accented_tokens(text))
            for field, tok_lists in field_toks.items():
                field_lens[field].append(sum(map(len, tok_lists)))
            self.docs.append(_doc_info(proc, group, field_toks))
        avg_len = {f: (sum(v) / len(v) if v else 0.0) or 1.0 for f, v in field_lens.items()}

        weighted_lists: dict[str, tuple[array[int], array[float]]] = {}  # term → documents, BM25F pseudo-tf
        for doc_id, proc in enumerate(procedures):
            pseudo_tf: dict[str, float] = defaultdict(float)
            for field, tok_lists in _field_tokens(_field_texts(proc)).items():
                counter: Counter[str] = Counter()
                for toks in tok_lists:
                    counter.update(toks)
                    counter.update(bigrams(toks))
                norm = 1.0 - B + B * field_lens[field][doc_id] / avg_len[field]
                weight = FIELD_WEIGHTS[field] / norm
                for term, tf in counter.items():
                    pseudo_tf[term] += weight * tf
            for term, weighted in pseudo_tf.items():
                entry = weighted_lists.get(term)
                if entry is None:
                    entry = weighted_lists[term] = (array("I"), array("d"))
                entry[0].append(doc_id)
                entry[1].append(weighted)
        # a term's document frequency is the length of its list
        df = {t: len(docs) for t, (docs, _pseudo) in weighted_lists.items()}
        self.idf: dict[str, float] = {t: math.log(1.0 + (n_docs - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        postings: dict[str, tuple[array[int], array[float]]] = {}
        for term, (docs, pseudo) in weighted_lists.items():
            idf = self.idf[term]
            postings[term] = (docs, array("f", [idf * weighted / (K1 + weighted) for weighted in pseudo]))
        weighted_lists.clear()
        self.postings = Postings(postings)
        for doc in self.docs:
            doc.name_terms = {t: self.idf.get(t, 1.0) for t in doc.name_terms}
        # Frequent terms do not select candidates; they only add to candidates rarer terms found.
        # Their weights are kept dense (one float per document) for direct lookup. A pair of words is a
        # phrase ("căn cước", "hộ kinh doanh"): it still selects at twice the frequency of a single word.
        limit = max(n_docs / 25, 50)
        frequent = [t for t, (docs, _w) in postings.items()
                    if len(docs) > (BIGRAM_SELECTS * limit if " " in t else limit)]  # fmt: skip
        self.common: dict[str, int] = {term: row for row, term in enumerate(frequent)}  # term → row of the matrix
        self.common_weights: NDArray[np.float32] = np.zeros((len(frequent), n_docs), dtype=np.float32)
        for row, term in enumerate(frequent):
            docs, weights = postings[term]
            self.common_weights[row, np.frombuffer(docs, dtype=np.uint32)] = np.frombuffer(weights, dtype=np.float32)
        self.vocab: frozenset[str] = frozenset(t for t in self.idf if " " not in t)
        # every syllable as the catalog spells it (with diacritics): a typed form outside it is misspelt
        self.spelled: frozenset[str] = frozenset(map(sys.intern, spelled))


def _field_tokens(texts: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    return {f: [tokenize(t) for t in field_texts] for f, field_texts in texts.items()}


def _doc_info(proc: Procedure, group: int, field_toks: dict[str, list[list[str]]]) -> DocInfo:
    name = strip_levels(proc.name)
    prim_text = " ".join([name, *proc.aliases])
    sec_text = " ".join([result_text(proc), proc.field])
    name_toks = field_toks["name"][0]
    folded_prim = {t for f in ("name", "aliases") for toks in field_toks[f] for t in toks}
    folded_sec = {t for f in ("result", "field") for toks in field_toks[f] for t in toks}
    return DocInfo(
        code=proc.code,
        name=proc.name,
        group=group,
        primary=frozenset(map(sys.intern, folded_prim.union(accented_tokens(prim_text)))),  # shared by the docs
        secondary=frozenset(map(sys.intern, folded_sec.union(accented_tokens(sec_text)))),
        name_terms=dict.fromkeys(map(sys.intern, _head_terms(name_toks)), 1.0),
        name_folded=" ".join(name_toks),
        for_people=_for_people(proc.applicants),
        audience=_audience(proc, name_toks),
        markers=tuple(tuple(m.split()) for m in _MARKER_FORMS if f" {m} " in f" {' '.join(name_toks)} "),
        named_by=_naming_words(name_toks, field_toks["aliases"]),
    )


def _naming_words(name_tokens: list[str], alias_tokens: list[list[str]]) -> tuple[frozenset[str], ...]:
    """What a question naming the procedure contains: the name's words (no leading "thủ tục", no filler), then
    each alias's ("dk ket hon" names "Thủ tục đăng ký kết hôn"; "lam so do lan dau" its alias "làm sổ đỏ lần đầu")."""
    if name_tokens[:2] == ["thu", "tuc"]:
        name_tokens = name_tokens[2:]
    sets = (frozenset(t for t in toks if t not in STOPWORDS) for toks in [name_tokens, *alias_tokens])
    return tuple(dict.fromkeys(w for w in sets if w))


NAME_HEAD = 10  # a name's first informative syllables say what it is; the rest are details
_PEOPLE = ("cong dan", "ca nhan", "nguoi viet nam", "ho gia dinh", "nguoi nuoc ngoai", "nguoi dan")


def _head_terms(name_tokens: list[str]) -> list[str]:
    return [t for t in name_tokens if t not in STOPWORDS and t not in GENERIC][:NAME_HEAD]


# Words opening the clause of a name that says to whom or in which case it applies ("… đối với người đạt yêu
# cầu kiểm tra", "… trong trường hợp bị mất"): what comes before them is what the procedure issues or does.
_QUALIFIERS = (" doi voi ", " trong truong hop ", " truong hop ")


@lru_cache(maxsize=4096)
def core_terms(name_folded: str) -> frozenset[str]:
    """The head terms (:func:`_head_terms`) of a folded name before its qualifying clause: "Cấp Chứng chỉ hành
    nghề luật sư đối với người đạt yêu cầu kiểm tra…" issues "chứng chỉ hành nghề luật sư"."""
    text = f" {name_folded} "
    cut = min((i for q in _QUALIFIERS if (i := text.find(q)) > 0), default=len(text))
    return frozenset(_head_terms(text[:cut].split()))


_STAFF = ("cong an nhan dan", "quan doi nhan dan", "quan nhan", "quan su", "bo quoc phong", "si quan", "chien si")


# The police ministry's "Chính sách" field holds its own staff's procedures (their health-insurance cards,
# allowances, martyrs' recognition): names alone do not say so ("Cấp thẻ bảo hiểm y tế").
_STAFF_FIELDS = {("bo-cong-an", "chinh sach")}


def _audience(proc: Procedure, name_tokens: list[str]) -> str:
    name = f" {' '.join(name_tokens)} "
    # a name naming police or army staff is theirs, unless citizens file it against or to join them
    # ("khiếu nại … của công dân đối với lực lượng Công an nhân dân", "tuyển chọn công dân vào Công an nhân dân")
    named_staff = any(f" {s} " in name for s in _STAFF) and " cong dan " not in name
    if named_staff or (proc.ministry, fold(proc.field.lower())) in _STAFF_FIELDS:
        return "staff"
    if fold(proc.field.lower()).startswith("hai quan"):
        return "customs"
    return "citizen" if _for_people(proc.applicants) else "organisation"


def files_for_people(proc: Procedure) -> bool:
    """People (citizens, households, foreigners…) file ``proc``, not only organisations (by its applicants)."""
    return _for_people(proc.applicants)


def _for_people(applicants: str) -> bool:
    text = " ".join(tokenize(applicants))
    return not text or any(p in text for p in _PEOPLE)
