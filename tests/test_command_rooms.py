"""commands/ stays one room per keyword: a keyword module imports shared helpers, never another keyword's module,
and nothing in commands/ compares level codes (the level registry answers)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from commands.registry import COMMANDS

COMMANDS_DIR = Path(__file__).resolve().parent.parent / "commands"
ROOT = COMMANDS_DIR.parent
KEYWORD_MODULES = {cls.__module__ for cls in COMMANDS}       # commands.diem, commands.community.bc, ...


def _path(module: str) -> Path:
    return ROOT / (module.replace(".", "/") + ".py")


def _imported(module: str, source: str | None = None) -> set[str]:
    """The commands modules ``module`` imports (relative imports resolved)."""
    package = module.rsplit(".", 1)[0]
    names = set()
    source = _path(module).read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "commands" or target.startswith("commands."):
                names.add(target)
                names.update(f"{target}.{a.name}" for a in node.names)
    return names


def test_no_keyword_module_imports_another():
    for name in sorted(KEYWORD_MODULES):
        others = _imported(name) & (KEYWORD_MODULES - {name})
        assert not others, f"{name} imports the keyword module(s) {sorted(others)}"


def test_a_keyword_module_that_imports_another_is_caught():
    for source in ("from commands import diem\n", "from ..diem import Diem\n", "from commands.diem import Diem\n"):
        assert "commands.diem" in _imported("commands.community.bc", source) & KEYWORD_MODULES, source
    assert not _imported("commands.community.bc", "from ..base import Reply\n") & KEYWORD_MODULES


def test_no_level_code_is_compared_in_commands():
    compare = re.compile(r"""(==|!=|\bin\b|\bis\b)\s*\(?["'](MN|TH|THCS|THPT)["']|["'](MN|TH|THCS|THPT)["']\s*(==|!=)""")
    for path in sorted(COMMANDS_DIR.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "school_level" not in text, path.name
        assert not compare.search(text), path.name
