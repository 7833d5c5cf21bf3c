"""Named exceptions of the question bank; the message is Vietnamese and names what is wrong."""
from __future__ import annotations

from dataclasses import dataclass

from store.core.errors import StoreError


class QuestionError(StoreError):
    """A question, a test or a request about them that cannot be accepted as it is."""


@dataclass(frozen=True)
class BadQuestion:
    """One question of an import file that cannot be taken: where it is (`Câu 3`, `Dòng 7`) and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class ImportRejected(QuestionError):
    """An import file with bad questions: nothing was written; ``problems`` names each one."""

    def __init__(self, problems: list[BadQuestion]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
