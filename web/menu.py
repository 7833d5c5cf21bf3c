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


def visible(menu: list[MenuEntry], view_functions: dict, role) -> list[tuple[str, str]]:
    """(endpoint, label) of the entries whose page exists and lets ``role`` in."""
    shown = []
    for entry in menu:
        view = view_functions.get(entry.endpoint)
        roles = entry.roles or getattr(view, "staff_roles", None)
        if view is not None and (not roles or role in roles):       # roles: str Enums or their values
            shown.append((entry.endpoint, entry.label))
    return shown
