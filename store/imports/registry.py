"""Every import kind, one line each, in the order a new school is loaded (each refers to the ones before).

The one list the runner, header detection, the CLI's KIND choice, the web
upload page, the templates and the demo read. A new domain declares its
kinds (store.imports.kind.ImportKind) in its own module and adds them here.
"""
from __future__ import annotations

from .daily import ATTENDANCE, COMMENTS, EVENTS
from .errors import ImportFileError
from .headers import SYNONYMS, Vocabulary
from .kind import ImportKind
from .marks import BANGDIEM, CONDUCT, GRADES
from .people import GUARDIANS, STUDENTS
from .preschool import PRESCHOOL_KINDS
from .primary import PRIMARY_KINDS
from .school import CLASSES, SCHOOLS, SUBJECTS, TERMS
from .staff import ASSIGNMENTS, TEACHERS

KINDS: list[ImportKind] = [
    SCHOOLS, TERMS, CLASSES, SUBJECTS, STUDENTS, GUARDIANS,
    GRADES, BANGDIEM, CONDUCT, ATTENDANCE, COMMENTS, EVENTS,
    TEACHERS, ASSIGNMENTS,
    *PRIMARY_KINDS,
    *PRESCHOOL_KINDS,
]


def names() -> list[str]:
    """Every KIND, in load order."""
    return [k.name for k in KINDS]


def find(name: str) -> ImportKind | None:
    """The kind called ``name``, or None."""
    return next((k for k in KINDS if k.name == name), None)


def unknown_kind(name: str) -> str:
    """The reason a kind that is not registered is refused."""
    return f"không có loại dữ liệu '{name}' (dùng một trong: {', '.join(names())})"


def require(name: str, file_name: str) -> ImportKind:
    """The kind called ``name``; ImportFileError naming the file and every kind when there is none."""
    kind = find(name)
    if kind is None:
        raise ImportFileError(file_name, unknown_kind(name))
    return kind


def shared_synonyms() -> dict[str, tuple[str, ...]]:
    """The headers of every column any kind reads: the common ones merged with each domain's own."""
    merged = {column: tuple(found) for column, found in SYNONYMS.items()}
    for kind in KINDS:
        for column, found in kind.synonyms.items():
            merged[column] = _union(merged.get(column, ()), found)
    return merged


def vocabulary(kind: ImportKind) -> Vocabulary:
    """The headers ``kind`` recognises for each column: the shared ones, then the kind's own readings."""
    merged = shared_synonyms()
    for column, found in kind.own_synonyms.items():
        merged[column] = merged.get(column, ()) + tuple(found)
    return merged


def in_load_order(wanted) -> tuple[str, ...]:
    """The names of ``wanted`` in the registry's order (a demo writes its files in it)."""
    wanted = set(wanted)
    unknown = wanted - set(names())
    if unknown:
        raise KeyError(f"not registered import kinds: {sorted(unknown)}")
    return tuple(n for n in names() if n in wanted)


def _union(first: tuple[str, ...], more) -> tuple[str, ...]:
    return first + tuple(s for s in more if s not in first)
