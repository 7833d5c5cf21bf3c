"""One kind of import file, declared once beside its domain's rows; store.imports.registry lists them all.

Everything that used to be kept by hand per kind in several files is a field
here: the upload page's label, the headers of the domain's own columns, the
review queues its rows wait in, whether ``--replace`` applies, the example
row of its downloadable template. The runner, header detection, the CLI,
the web upload page and the templates read the kinds through the registry;
tests/test_registries.py checks each has its README row, template, review
spec and a demo file (or says in ``no_demo`` why not).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from .base import ImportHandler
from .headers import Vocabulary as Synonyms     # column -> the folded headers that name it


@dataclass(frozen=True, eq=False)
class ImportKind:
    """A KIND of `import KIND FILE`: what it is called and everything the other floors need of it."""

    name: str
    label: str                  # Vietnamese, the upload page's list
    handler: ImportHandler      # its columns, row checks and writes
    example: Mapping[str, str]  # the template's example row, in the demo school's codes
    synonyms: Synonyms = field(default_factory=dict)      # headers of the domain's own columns (every kind reads them)
    own_synonyms: Synonyms = field(default_factory=dict)  # this kind's own readings ('Họ tên học sinh' in students)
    reviewed_in: tuple[str, ...] = ()      # the review specs (store.registry.review) its rows wait in
    replaceable: bool = False              # --replace: what the file no longer lists goes
    template: Callable[[Path], None] | None = None    # a layout of its own (tonghop_th): writes the template file
    no_demo: str = ""           # why no demo writes a file of this kind (tests/test_registries.py asks for one)

    @property
    def required(self) -> tuple[str, ...]:
        return self.handler.required

    @property
    def optional(self) -> tuple[str, ...]:
        return self.handler.optional

    @property
    def wide(self) -> bool:
        return self.handler.wide
