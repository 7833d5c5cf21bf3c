"""`token add`, `token list`, `token revoke`: bearer tokens of the JSON API."""
from __future__ import annotations

import click

from store.core import audit
from store.school import tokens

from .context import pass_app


@click.group()
def token():
    """Bearer tokens of the JSON API (/api/v1)."""


@token.command("add")
@click.option("--school", "school_code", help="School code: the token reads this school only.")
@click.option("--all-schools", is_flag=True, help="The token reads every school (operator).")
@click.option("--scope", required=True, type=click.Choice([s.value for s in tokens.Scope]),
              help="delivery: /api/v1/delivery; messages: /api/v1/messages/<id>; all: both.")
@click.option("--label", help="Who or what uses it, shown by `token list`.")
@pass_app
def token_add(app, school_code, all_schools, scope, label):
    """Create a token and print it once (only its hash is kept)."""
    if bool(school_code) == all_schools:
        raise click.UsageError("give exactly one of --school CODE or --all-schools")
    try:
        token_id, secret = tokens.create(app.db, scope, school_code=school_code, label=label)
    except tokens.TokenError as e:
        raise click.ClickException(str(e)) from e
    audit.record(app.db, "cli:token", "token:add", token=token_id, school=school_code or "*", scope=scope)
    click.echo(f"token #{token_id} ({scope}, {school_code or 'every school'}); shown once, keep it secret:")
    click.echo(secret)


@token.command("list")
@pass_app
def token_list(app):
    """Every token: id, school, scope, label, created and revoked times (never the secret)."""
    rows = tokens.list_tokens(app.db)
    if not rows:
        click.echo("no tokens")
    for t in rows:
        state = f"revoked {t['revoked_at']}" if t["revoked_at"] else "active"
        click.echo(f"#{t['id']:<5} {t['school'] or '*':<12} {t['scope']:<9} {state:<32} "
                   f"created {t['created_at']}  {t['label'] or ''}".rstrip())


@token.command("revoke")
@click.argument("token_id", type=int)
@pass_app
def token_revoke(app, token_id):
    """Revoke token ID: it stops working at once."""
    try:
        tokens.revoke(app.db, token_id)
    except tokens.TokenError as e:
        raise click.ClickException(str(e)) from e
    audit.record(app.db, "cli:token", "token:revoke", token=token_id)
    click.echo(f"revoked token #{token_id}")
