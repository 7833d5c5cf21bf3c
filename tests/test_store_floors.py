"""The direction inside store/: core -> rules -> school -> review -> messaging -> domains, and domains apart.

Every module of store/ belongs to one floor (its package, or for store/imports its role); a module imports
only from its own floor or the floors below it, and a domain never imports another domain. Read from the
source (ast), so a new import that runs the wrong way fails here before anyone draws the house.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STORE = ROOT / "store"

# Floors from the bottom up. A domain may use every floor below DOMAINS but no other domain.
FLOORS = ["core", "rules", "school", "review", "messaging", "intake", "domain", "top"]
DOMAINS = {"secondary", "primary", "preschool", "staff", "community", "questions", "library"}
# The import machinery every domain's grade book and sheet reader uses, below the domains; the kinds of
# store/imports/ (each writes one domain's rows) and the runner that knows them all sit on top.
INTAKE = {"base", "errors", "headers", "readers", "calamine_rows", "values", "limits", "undo", "kind", "labels", "entry"}
# The approval queue lists and approves the pending rows of every domain (store/registry/review.py names their
# specs): it stays in store/review/ beside the status machine and the specs, but reads the registry on top.
QUEUE = {"approvals", "corrections"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def floor_of(module: str) -> tuple[str, str]:
    """(floor, room): the room is the domain for domain modules, else the floor."""
    parts = module.split(".")
    if len(parts) == 1:
        return "top", "top"
    head = parts[1]
    if head == "imports":
        if len(parts) > 2 and parts[2] in INTAKE:
            return "intake", "intake"
        return "top", "top"
    if head in DOMAINS:
        return "domain", head
    if head == "review" and len(parts) > 2 and parts[2] in QUEUE:
        return "top", "top"
    if head == "registry":
        return "top", "top"
    if head in FLOORS:
        return head, head
    return "top", "top"          # store/<flat module>.py: above everything, known to nobody below


def _is_module(dotted: str) -> bool:
    base = ROOT / dotted.replace(".", "/")
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def imports_of(path: Path) -> set[str]:
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "store" or target.startswith("store."):
                modules = {f"{target}.{a.name}" for a in node.names if _is_module(f"{target}.{a.name}")}
                found.update(modules)
                if len(modules) < len(node.names):          # names from the package's own __init__
                    found.add(target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("store."))
    found.discard("store")
    return found


# Crossings still standing, each with its reason; a new one fails the test. Fold them away, never add one.
CROSSINGS = {
    ("store.questions.adopt", "store.secondary.gradebook"):
        "a self-test's scores are adopted into the class's TT22 grade book (load, save); a level registry of "
        "grade books would let it ask the class's level instead",
    ("store.primary.gradebook", "store.imports.primary"):
        "the TT27 book writes through the primary import kind's row builders, which still live with the kind",
    ("store.community.round_commendation", "store.primary.assessments"):
        "a commendation round (community, SPEC §13) proposes the TT27 year-end commendation of the class's "
        "pupils, read from their assessments; a level registry of year-end entries would let it ask instead",
}


def wrong_way(module: str, target: str) -> str | None:
    if (module, target) in CROSSINGS:
        return None
    (floor, room), (tfloor, troom) = floor_of(module), floor_of(target)
    if FLOORS.index(tfloor) > FLOORS.index(floor):
        return f"{module} ({floor}) imports {target} ({tfloor}), a floor above it"
    if floor == tfloor == "domain" and room != troom:
        return f"{module} (domain {room}) imports {target} (domain {troom})"
    return None


def test_every_crossing_is_still_there():
    """A crossing folded away leaves the list too, so the list never hides a new one."""
    standing = {(module_name(p), t) for p in STORE.rglob("*.py") for t in imports_of(p)}
    assert sorted(set(CROSSINGS) - standing) == []


def test_every_store_module_has_a_floor_and_imports_run_down():
    problems = []
    for path in sorted(STORE.rglob("*.py")):
        module = module_name(path)
        for target in sorted(imports_of(path)):
            problem = wrong_way(module, target)
            if problem:
                problems.append(problem)
    assert problems == []


def test_no_flat_modules_left_in_store():
    """Every module lives in a floor's or a domain's package (store/__init__.py only says what is where)."""
    flat = sorted(p.name for p in STORE.glob("*.py") if p.name != "__init__.py")
    assert flat == []


@pytest.mark.parametrize("module, target, ok", [
    ("store.school.terms", "store.core.clock", True),
    ("store.core.clock", "store.school.terms", False),
    ("store.primary.news", "store.secondary.grades", False),
    ("store.primary.news", "store.rules.tt27", True),
    ("store.imports.runner", "store.primary.gradebook", True),
    ("store.secondary.gradebook", "store.imports.values", True),
    ("store.imports.values", "store.imports.primary", False),
])
def test_the_floors_themselves(module, target, ok):
    assert (wrong_way(module, target) is None) is ok
