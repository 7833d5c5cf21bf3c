"""`digest`: build and queue the evening digests now."""
from __future__ import annotations


import click

from outbox import digest as digest_mod
from outbox import digest_pool, mail
from store.core.clock import local_today

from .context import pass_app


@click.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Local school date (default: today).")
@click.option("--school", "school_code", help="One school's code (default: every school).")
@click.option("--dry-run", is_flag=True, help="Compose every digest and print the parts per school; queue nothing.")
@pass_app
def digest(app, day, school_code, dry_run):
    """Build and queue the digests (also scheduled daily at digest.send_at by `serve`)."""
    day = day.date() if day else local_today(app.settings.sms.timezone)
    schools = digest_mod.schools(app.db, school_code)
    if not schools:
        raise click.ClickException(f"unknown school {school_code!r}" if school_code else "no schools imported yet")
    digest_mod.lower_priority()     # a `serve` beside this command keeps answering parents first
    queued = 0
    for school_id, code, r in digest_pool.build_schools(app.db, app.settings, schools, day, dry_run=dry_run):
        if dry_run:
            click.echo(f"{code} {day}: " + ("already built, nothing to queue" if r.already_built else
                                           f"would queue {r.created} digests, {r.parts} parts "
                                           f"(about {r.parts * app.settings.digest.part_price:,} VND)"))
        elif r.already_built:
            click.echo(f"{code} {day}: already built, nothing new queued")
        else:
            click.echo(f"{code} {day}: {r.created} digests queued ({r.parts} parts)"
                       + (f", {r.skipped_existing} already had theirs" if r.skipped_existing else ""))
        if r.warning:
            click.echo(f"warning: {code}: {r.warning}", err=True)
        queued += r.created
        if dry_run:
            continue
        if mail.enabled(app.settings):
            m = mail.send_digests(app.db, app.settings, school_id, day)
            click.echo(f"{code} {day}: {m.sent} e-mailed" + (f", {m.refused} refused" if m.refused else "")
                       + (f", {m.left} left for the next run (SMTP unreachable)" if m.left else ""))
    if queued and not dry_run:
        app.ring()     # a `serve` beside this command sends them now, not at its next poll
