"""A procedure's documents arranged the way an applicant prepares them.

Forms first, then the documents every applicant submits, then those shown at the counter; documents
only some applicants need are grouped under their case; notes come last. When the source lists the
same form (or document) under several cases — "Tờ khai CT01" under every way of registering permanent
residence — the first answer shows it once among the common documents, the longest wording kept; the full
answer (``lift_shared=False``) keeps every row where the source put it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.catalog.model import Document, DocumentRole, Procedure
from bot.catalog.text import fold

_KEY_WORDS = 6


@dataclass(frozen=True)
class CaseGroup:
    """The documents one case adds, in source order."""

    label: str
    documents: list[Document]


@dataclass(frozen=True)
class Checklist:
    """Documents by what to do with them; ``cases`` in the order the source first names them."""

    forms: list[Document] = field(default_factory=list)
    submit: list[Document] = field(default_factory=list)
    show: list[Document] = field(default_factory=list)
    cases: list[CaseGroup] = field(default_factory=list)
    notes: list[Document] = field(default_factory=list)

    @property
    def common(self) -> list[Document]:
        """What most applicants need, in the order they prepare it."""
        return [*self.forms, *self.submit, *self.show]



def _key(document: Document) -> str:
    """Documents with the same first words are the same document worded differently."""
    return " ".join(fold(document.name).split()[:_KEY_WORDS])


def _shared(cases: dict[str, list[Document]]) -> dict[str, Document]:
    """Items listed under two or more cases: forms always, other documents when under half the cases or more."""
    seen: dict[str, set[str]] = {}
    longest: dict[str, Document] = {}
    for label, documents in cases.items():
        for document in documents:
            key = _key(document)
            seen.setdefault(key, set()).add(label)
            current = longest.get(key)
            if current is None or len(document.name) > len(current.name):
                longest[key] = document
    shared: dict[str, Document] = {}
    for key, labels in seen.items():
        wide = len(labels) * 2 >= len(cases)
        if len(labels) >= 2 and (longest[key].role is DocumentRole.FORM or wide):
            shared[key] = longest[key].model_copy(update={"case": ""})
    return shared


def build_checklist(procedure: Procedure, lift_shared: bool = True) -> Checklist:
    """The documents of ``procedure`` arranged for an applicant; with ``lift_shared``, items listed under
    several cases are moved to the common documents (once), otherwise every row stays where it is."""
    common: list[Document] = []
    notes: list[Document] = []
    cases: dict[str, list[Document]] = {}
    for document in procedure.documents:
        if document.role is DocumentRole.NOTE:
            notes.append(document)
        elif document.case:
            cases.setdefault(document.case, []).append(document)
        else:
            common.append(document)
    shared = _shared(cases) if lift_shared else {}
    common_keys = {_key(d) for d in common}
    common += [d for key, d in shared.items() if key not in common_keys]
    groups = [
        CaseGroup(label, kept)
        for label, documents in cases.items()
        if (kept := [d for d in documents if _key(d) not in shared])
    ]

    def role(wanted: DocumentRole) -> list[Document]:
        return [d for d in common if d.role is wanted]

    return Checklist(role(DocumentRole.FORM), role(DocumentRole.SUBMIT), role(DocumentRole.SHOW), groups, notes)
