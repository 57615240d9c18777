"""The steps text ("trình tự thực hiện") as numbered steps with their details, and its notes apart.

The portal's text marks steps in several ways ("Bước 1:", "- " bullets, "1." numbers, or one line per
step), breaks sentences across lines and puts "Lưu ý" paragraphs after the last step. Each step keeps
its detail lines (sub-points "+ …", "(i) …", continuation paragraphs) joined by newlines, without its
own "Bước N" label, so a reader can number steps once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.catalog.text import LOWER, is_blank, split_portal_noise, squash

_STEP_MARK = re.compile(r"(?=Bước\s*\d+\s*[:.)-])")
# A piece that is only a bullet or only a "Bước N:" label belongs to the piece after it.
_BARE_BULLET = re.compile(r"^(?:[-–+*•]|[a-zđ]\)|Bước\s*\d+\s*[:.)-]?)$")
_BUOC = re.compile(r"^(?:[-–+*•]\s*|[a-zđ]\)\s*)?Bước\s*\d+\s*[:.)-]?\s*", re.I)
_DASH = re.compile(r"^[-–]\s*")
_NUMBER = re.compile(r"^\d{1,2}[.)]\s+")
_NOTES = re.compile(r"^\*?\s*(?:lưu ý|ghi chú)\b\s*:?\s*", re.I)
_STARTS_LOWER = re.compile(rf"^[{LOWER}]")
_ENDS_SENTENCE = re.compile(r"[.:;!?)”\"]$")


@dataclass
class StepsText:
    """Steps in order (each: its main line, then detail lines) and the notes printed after them."""

    steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _lines(text: str) -> list[str]:
    """Non-empty lines, split before every "Bước N" mark, with sentences the source broke rejoined."""
    lines: list[str] = []
    for raw in squash(text).split("\n"):
        pieces: list[str] = []
        for piece in (p.strip() for p in _STEP_MARK.split(raw)):
            if pieces and _BARE_BULLET.match(pieces[-1]):
                pieces[-1] = f"{pieces[-1]} {piece}"  # "- Bước 1: …", "Bước 1: Bước 1. …" stay one line
            elif piece:
                pieces.append(piece)
        for piece in pieces:
            if lines and _STARTS_LOWER.match(piece) and not _ENDS_SENTENCE.search(lines[-1]):
                lines[-1] = f"{lines[-1]} {piece}"
            else:
                lines.append(piece)
    return lines


def _split_notes(lines: list[str]) -> tuple[list[str], list[str]]:
    """Lines before the first "Lưu ý" line, and that line (without its label) with everything after."""
    for index, line in enumerate(lines):
        if index and _NOTES.match(line):
            rest = _NOTES.sub("", line, count=1)
            return lines[:index], ([rest] if rest else []) + lines[index + 1 :]
    return lines, []


def _marker(lines: list[str]) -> re.Pattern[str] | None:
    """How this text marks its steps: "Bước N", two or more dashes, two or more numbers; None = per line."""
    if any(_BUOC.match(line) for line in lines):
        return _BUOC
    for pattern in (_DASH, _NUMBER):
        if sum(1 for line in lines if pattern.match(line)) >= 2:
            return pattern
    return None


def _without_label(line: str, marker: re.Pattern[str]) -> str:
    """The step's text without its marker; a repeated "Bước N:" ("Bước 1: Bước 1. …") goes too."""
    text = marker.sub("", line, count=1)
    text = _BUOC.sub("", text, count=1) if _BUOC.match(text) else text
    return text.strip() or line


def parse_steps_text(text: str) -> StepsText:
    """Split "trình tự thực hiện" into steps (detail lines kept with their step) and notes."""
    value, _, _ = split_portal_noise(text)
    lines = _lines(value)
    if is_blank(" ".join(lines)):
        return StepsText()
    body, notes = _split_notes(lines)
    marker = _marker(body)
    if marker is None:
        return StepsText(body, notes)
    steps: list[str] = []
    for line in body:
        if marker.match(line) or not steps:
            steps.append(_without_label(line, marker) if marker.match(line) else line)
        else:
            steps[-1] = f"{steps[-1]}\n{line}"
    return StepsText(steps, notes)
