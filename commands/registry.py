"""The explicit, ordered list of keywords (no discovery, no import side effects)."""
from __future__ import annotations

from functools import lru_cache

from .base import Command
from .con import Con
from .diem import Diem
from .dk import Dk
from .gv import Gv
from .hd import Hd
from .huy import Huy
from .kq import Kq
from .lich import Lich
from .mk import Mk
from .nghi import Nghi
from .nx import Nx
from .rl import Rl
from .tbao import Tbao
from .tv import Tv
from .vang import Vang

COMMANDS: tuple[type[Command], ...] = (Diem, Kq, Rl, Nx, Vang, Nghi, Lich, Tbao, Con, Gv, Huy, Dk, Mk, Hd, Tv)

GUARDIAN, STAFF = "guardian", "staff"     # Command.audience: who a keyword answers


@lru_cache(maxsize=1)
def instances() -> dict[str, Command]:
    """Canonical keyword -> command object."""
    return {cls.keyword: cls() for cls in COMMANDS}


@lru_cache(maxsize=2)
def keyword_table(audience: str = GUARDIAN) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every alias of ``audience``'s keywords -> (canonical keyword, slots), for the grammar.

    An alias is unique across audiences too, so a text means one thing whoever sends it.
    """
    table, owner = {}, {}
    for cls in COMMANDS:
        for alias in (cls.keyword, *cls.aliases):
            if alias in owner and owner[alias] != cls.keyword:
                raise ValueError(f"alias {alias} is claimed by {owner[alias]} and {cls.keyword}")
            owner[alias] = cls.keyword
            if cls.audience == audience:
                table[alias] = (cls.keyword, cls.slots)
    return table
