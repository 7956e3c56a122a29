"""Whether a challenge statement reads as a "How might we…?" question.

Pure text checks, no Django. "How might we" questions come from design practice (popularised by
IDEO and the Design Council's Double Diamond): they frame a problem as an open question that
invites more than one answer. The checks are gentle: a statement must be a question (end with a
question mark); starting with the words "How might we" (in Welsh "Sut gallen ni") is advised,
not required, and a statement that names its answer is flagged for a second look.
"""

from __future__ import annotations

import re

#: Openings that read as "How might we" in English or Welsh (lower case, spaces squeezed).
HMW_OPENINGS = ("how might we", "how could we", "how can we", "sut gallen ni", "sut gallwn ni")

#: Words that often mean the statement already names its solution ("by building an app").
SOLUTION_MARKERS = re.compile(
    r"\b(by (buying|building|installing|using|introducing)"
    r"|drwy (brynu|adeiladu|osod|ddefnyddio))\b",
    re.IGNORECASE,
)


def _squeezed(text: str) -> str:
    return " ".join(text.split()).strip()


def is_question(text: str) -> bool:
    """Whether ``text`` ends with a question mark (after trailing spaces)."""
    return _squeezed(text).endswith("?")


def opens_how_might_we(text: str) -> bool:
    """Whether ``text`` starts "How might we…" (or a close English or Welsh equivalent)."""
    start = _squeezed(text).lower().lstrip("“\"'")
    return start.startswith(HMW_OPENINGS)


def names_a_solution(text: str) -> bool:
    """Whether ``text`` looks as if it names its answer ("… by building an app?")."""
    return SOLUTION_MARKERS.search(text) is not None
