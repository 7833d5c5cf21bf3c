"""Jinja2 templates of every SMS text (templates_sms/), with number and date filters."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import jinja2

from store.rules.periods import Semester

_SPACE_BEFORE_PUNCT = re.compile(r" ([;,.:)])")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates_sms"


def fmt_number(value) -> str:
    """Decimal('8.0') -> '8', Decimal('7.5') -> '7.5'; marks by their short label (Đ / CĐ)."""
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    label = {"D": "Đ", "CD": "CĐ"}.get(getattr(value, "value", value))
    return label or str(value)


def fmt_date(value: date) -> str:
    """dd/mm, the way Vietnamese texts write a date."""
    return f"{value.day:02d}/{value.month:02d}"


def fmt_term(term: int) -> str:
    """A stored term in a sentence (store.rules.periods.Semester.short): 1 -> 'HK1', 2 -> 'HK2', 0 -> 'cả năm'."""
    return Semester(term).short


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The template environment: strict about undefined names, no HTML escaping (SMS is text)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                             autoescape=False, trim_blocks=False, lstrip_blocks=True, keep_trailing_newline=False,
                             auto_reload=False)   # no stat() of the file per reply: templates ship with the code
    env.filters.update(num=fmt_number, d=fmt_date, term=fmt_term)
    return env


@lru_cache(maxsize=None)
def template(name: str) -> jinja2.Template:
    """templates_sms/``name`` compiled, kept for the life of the process (they ship with the code).

    Its globals become one plain dict (Jinja keeps a ChainMap over the environment's, read on every
    render): the environment's globals are never changed after environment() made them."""
    found = environment().get_template(name)
    found.globals = dict(found.globals)
    return found


def render(name: str, **values) -> str:
    """Render templates_sms/``name`` and squeeze whitespace to single spaces."""
    text = " ".join(template(name).render(**values).split())
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text)


def macros(name: str):
    """The macros of templates_sms/``name`` as callables (for texts built many thousand times a run)."""
    return template(name).module


def names() -> list[str]:
    """Every template file name."""
    return sorted(p.name for p in TEMPLATES.glob("*.txt"))
