"""`questions import FILE --school S …`: a Word or Excel file into a school's question bank (SPEC §15)."""
from __future__ import annotations

from pathlib import Path

import click

from store.core import audit
from store.questions.errors import ImportRejected, QuestionError
from store.questions.importing import Defaults, import_questions

from .context import pass_app


@click.group()
def questions():
    """The question bank of the self-tests."""


@questions.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--school", "school_code", required=True, help="The school whose bank gets the questions.")
@click.option("--subject", default="", help="ma_mon for questions whose file does not give one (Word files).")
@click.option("--grade", type=click.IntRange(1, 12), help="khoi for questions whose file does not give one.")
@click.option("--topic", default="", help="chu_de for questions whose file does not give one.")
@click.option("--level", default="", help="muc_do for questions whose file does not give one (M1-M3, NB, TH, VD, VDC).")
@click.option("--dry-run", is_flag=True, help="Check every question, write nothing.")
@pass_app
def import_questions_cmd(app, file, school_code, subject, grade, topic, level, dry_run):
    """Check every question of FILE (.docx or .xlsx); with none bad, add them all to the bank."""
    db = app.db
    row = db.execute("SELECT id FROM schools WHERE code = ?", [school_code.upper()]).fetchone()
    if row is None:
        raise click.ClickException(f"unknown school {school_code}")
    try:
        done = import_questions(db, Path(file), row[0], "cli", Defaults(subject.upper(), grade, topic, level),
                                dry_run=dry_run)
    except ImportRejected as e:
        for problem in e.problems:
            click.echo(f"{Path(file).name}: {problem}", err=True)
        raise click.ClickException(f"{len(e.problems)} bad question(s); nothing imported") from e
    except QuestionError as e:
        raise click.ClickException(str(e)) from e
    if not dry_run:
        audit.record(db, "cli", "cli:question-import", school_id=row[0], file=Path(file).name, questions=done.questions)
    click.echo(f"{Path(file).name}: {done.questions} question(s) {'would be ' if dry_run else ''}added to "
               f"{school_code.upper()}'s bank")
