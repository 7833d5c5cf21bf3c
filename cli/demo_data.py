"""`demo-data DIR`: write a demo THCS, THPT and primary school as import files, and optionally import them."""
from __future__ import annotations

from pathlib import Path

import click

from demo import school as demo_school
from demo import preschool as preschool_demo
from demo import primary as primary_demo

from .imports import run_import


@click.command("demo-data")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", default=1, show_default=True, help="Same seed (and school year), same files.")
@click.option("--classes-per-grade", default=4, show_default=True, type=click.IntRange(1, 2000))
@click.option("--students-per-class", default=40, show_default=True, type=click.IntRange(1, 200))
@click.option("--guardians", type=click.IntRange(4), help="Number of guardians (default: about one per child).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--no-marks", is_flag=True, help="Only the school, students and guardians (no grades, absences...).")
@click.option("--import", "do_import", is_flag=True, help="Import the files, in order, through `import`.")
@click.option("--approve", is_flag=True, help="With --import: approve everything imported.")
@click.pass_obj
def demo_data(app, directory, seed, classes_per_grade, students_per_class, guardians, fmt, no_marks, do_import,
              approve):
    """Write the demo school's files into DIRECTORY (and with --import, load them)."""
    files = demo_school.generate(directory, seed=seed, classes_per_grade=classes_per_grade,
                                 students_per_class=students_per_class, guardians=guardians, fmt=fmt,
                                 marks=not no_marks)
    # The primary school (TT27, grades 1-5): its own smaller size, the same seed and format.
    files += primary_demo.generate(directory, seed=seed, classes_per_grade=min(classes_per_grade, 2),
                                   students_per_class=min(students_per_class, 20), fmt=fmt, marks=not no_marks)
    if fmt == "csv":     # the kindergarten MN-HM (mầm non): CSV only
        files += preschool_demo.generate(directory, seed=seed, students_per_class=min(students_per_class, 12))
    for kind, path in files:
        click.echo(f"wrote {path} ({kind})")
    if not do_import:
        click.echo(f"import them in this order with: python run_gateway.py import KIND FILE"
                   f"{' --approve' if approve else ''}")
        return
    db = app.db
    for kind, path in files:
        run_import(db, kind, path, approve=approve)
    showcase = demo_school.SHOWCASE[0]
    click.echo(f"try: python run_gateway.py ask {showcase.phone} 'DIEM TOAN HK1 {showcase.children[0].code}'")
    click.echo(f"primary (TT27): python run_gateway.py ask {primary_demo.FAMILIES[0].phone} 'KQ'")
    if fmt == "csv":
        click.echo(f"kindergarten: python run_gateway.py ask {preschool_demo.FIXED[0][0]} 'BE'")
