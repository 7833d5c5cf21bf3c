"""A click group that imports a command's module only when that command runs (or is listed by --help).

Each command pulls in what it needs (the digest its sources and templates, `serve` the SMPP binds and the
web): imported all at once, every command paid ~1.2 s of start-up before doing anything, the evening
`digest` included. The list stays explicit: name -> "module:attribute".
"""
from __future__ import annotations

import importlib

import click


class LazyGroup(click.Group):
    """``commands``: {name: "cli.module:attr"}; a command is imported the first time it is asked for."""

    def __init__(self, *args, lazy: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx, name: str):
        if name not in self.commands and name in self.lazy:
            module, attr = self.lazy[name].split(":")
            command = getattr(importlib.import_module(module), attr)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[name]} is not a click command")
            self.add_command(command, name)
        return super().get_command(ctx, name)
