"""The explicit, ordered list of keywords (no discovery, no import side effects)."""
from __future__ import annotations

from functools import lru_cache

from .base import Command
from .be import Be
from .can import Can
from .con import Con
from .dan import Dan
from .diem import Diem
from .dk import Dk
from .don import Don
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
from .vang import Vang

COMMANDS: tuple[type[Command], ...] = (Diem, Kq, Rl, Nx, Vang, Nghi, Lich, Tbao, Con, Gv, Huy, Dk, Mk, Hd,
                                       Be, Can, Dan, Don)   # kindergarten (mầm non)


@lru_cache(maxsize=1)
def instances() -> dict[str, Command]:
    """Canonical keyword -> command object."""
    return {cls.keyword: cls() for cls in COMMANDS}


@lru_cache(maxsize=1)
def keyword_table() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every alias -> (canonical keyword, slots), for the grammar."""
    table = {}
    for cls in COMMANDS:
        for alias in (cls.keyword, *cls.aliases):
            if alias in table and table[alias][0] != cls.keyword:
                raise ValueError(f"alias {alias} is claimed by {table[alias][0]} and {cls.keyword}")
            table[alias] = (cls.keyword, cls.slots)
    return table
