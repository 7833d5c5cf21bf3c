"""commands/ stays one room per keyword: a keyword module imports shared helpers, never another keyword's module,
and nothing in commands/ compares level codes (the level registry answers)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from commands.registry import COMMANDS

COMMANDS_DIR = Path(__file__).resolve().parent.parent / "commands"
KEYWORD_MODULES = {cls.__module__.rsplit(".", 1)[1] for cls in COMMANDS}


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:
                names.add(module.split(".")[0] if module else "")
                names.update(a.name for a in node.names if not module)
            elif module.startswith("commands."):
                names.add(module.split(".")[1])
    return names


def test_no_keyword_module_imports_another():
    for name in sorted(KEYWORD_MODULES):
        others = _imported(COMMANDS_DIR / f"{name}.py") & (KEYWORD_MODULES - {name})
        assert not others, f"commands/{name}.py imports the keyword module(s) {sorted(others)}"


def test_no_level_code_is_compared_in_commands():
    compare = re.compile(r"""(==|!=|\bin\b|\bis\b)\s*\(?["'](MN|TH|THCS|THPT)["']|["'](MN|TH|THCS|THPT)["']\s*(==|!=)""")
    for path in sorted(COMMANDS_DIR.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "school_level" not in text, path.name
        assert not compare.search(text), path.name
