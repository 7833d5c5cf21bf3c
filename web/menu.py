"""The staff menu: each blueprint declares its own entries (``MENU`` beside its ``bp``); web.BLUEPRINTS' order
is the menu's order. An entry shows once its page exists and lets the logged-in staff member's role in."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MenuEntry:
    """One link of the staff menu."""

    endpoint: str
    label: str
    roles: tuple[str, ...] | None = None    # None: whoever the page's own staff_required lets in


def entries(modules) -> list[MenuEntry]:
    """Every entry of the blueprint modules, in their order."""
    return [entry for module in modules for entry in getattr(module, "MENU", ())]


def visible(menu: list[MenuEntry], view_functions: dict, staff) -> list[tuple[str, str]]:
    """(endpoint, label) of the entries whose page exists and lets ``staff`` (their role) in.

    A page may also carry ``staff_hidden(staff)``: it asks the school's settings (teachers' announcements
    where the school does not allow them)."""
    shown = []
    for entry in menu:
        view = view_functions.get(entry.endpoint)
        roles = entry.roles or getattr(view, "staff_roles", None)
        hidden = getattr(view, "staff_hidden", None)
        if view is not None and (not roles or staff.role in roles) and not (hidden and hidden(staff)):
            shown.append((entry.endpoint, entry.label))
    return shown
