"""`ask PHONE TEXT`: the reply a parent would get, printed, nothing sent."""
from __future__ import annotations

import click

from commands.service import ask as ask_service

from .context import pass_app


@click.command()
@click.argument("phone")
@click.argument("text")
@pass_app
def ask(app, phone, text):
    """Answer TEXT as if PHONE had texted it; print the reply; send nothing (audited)."""
    result = ask_service(app.db, app.settings, phone, text)
    if result.reply is None:
        click.echo(f"(no reply: {result.command or 'not a phone number'})")
    else:
        click.echo(result.reply.text)
