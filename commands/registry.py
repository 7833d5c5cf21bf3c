"""The explicit, ordered list of keywords (no discovery, no import side effects)."""
from __future__ import annotations

from functools import lru_cache

from .base import Command
from commands.community.bc import Bc
from commands.preschool.be import Be
from commands.questions.bl import Bl
from commands.community.bo import Bo
from commands.preschool.can import Can
from .con import Con
from commands.preschool.dan import Dan
from .diem import Diem
from .dk import Dk
from commands.preschool.don import Don
from .gv import Gv
from commands.community.gy import Gy
from .hd import Hd
from .huy import Huy
from .kq import Kq
from commands.community.kqbc import Kqbc
from .lich import Lich
from .mk import Mk
from .nghi import Nghi
from .nx import Nx
from commands.staff.pb import Pb
from commands.staff.pc import Pc
from .rl import Rl
from .tbao import Tbao
from commands.community.theo import Theo
from commands.community.tl import Tl
from commands.library.tv import Tv
from .vang import Vang

COMMANDS: tuple[type[Command], ...] = (Diem, Kq, Rl, Nx, Vang, Nghi, Lich, Tbao, Con, Gv, Huy, Dk, Mk, Hd,
                                       Tl, Theo, Bo, Gy,  # forum and gop y (SPEC §14)
                                       Bc, Kqbc,  # polls and sign-ups (SPEC §13)
                                       Bl,  # self-tests (SPEC §15)
                                       Be, Can, Dan, Don,   # kindergarten (mầm non, SPEC §11)
                                       # staff phones only (SPEC §12): audience STAFF
                                       Pc, Tv, Pb)


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
