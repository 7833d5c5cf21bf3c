"""`report delivery`: the delivery report on the terminal."""
from __future__ import annotations

import click

from store.core import audit
from store.messaging import reports
from store.core.clock import local_today
from store.school.phones import mask

from .context import pass_app


@click.group()
def report():
    """Reports for school staff."""


@report.command("delivery")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Local date (default: today).")
@click.option("--school", "school_code", help="School code.")
@click.option("--class", "class_name", help="Class name, e.g. 8A2.")
@pass_app
def delivery(app, day, school_code, class_name):
    """Per state counts of the day's messages, and every failure with the SMSC's reason."""
    day = day.date() if day else local_today(app.settings.sms.timezone)
    r = reports.delivery(app.db, day, app.settings.sms.timezone, school_code=school_code, class_name=class_name)
    scope = " ".join(x for x in (school_code, class_name) if x) or "all schools"
    click.echo(f"delivery report {day} ({scope}): {r.total} messages")
    for state, n in sorted(r.counts.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {state:<14} {n:7d}")
    if r.duplicates:
        click.echo(f"  resent after a crash or a lost response (possible duplicates): {r.duplicates}")
    if r.failures:
        click.echo("failures:")
        for f in r.failures:
            click.echo(f"  #{f['id']:<7} {mask(f['phone'])}  {f['kind']:<12} {f['state']:<13} {f['reason'] or ''}")
    audit.record(app.db, "cli:report", "report:delivery", detail=f"{day} {scope}")
