"""Downloadable import templates: for every KIND an XLSX with its columns and one example row.

One example row in the demo school's codes (each kind's ``example``, store.imports.registry);
a second sheet says which columns are required. The importer reads a template's header as it is.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort

from store.imports import ImportKind, registry

from . import xlsx
from .auth import staff_required

bp = Blueprint("import_templates", __name__, url_prefix="/staff/imports")



def columns(kind: ImportKind) -> list[str]:
    """The template's header: required columns, then optional ones (bangdiem: TX1..TX4 before GK, CK)."""
    wide = ["TX1", "TX2", "TX3", "TX4"] if kind.wide else []
    return [*kind.required, *wide, *kind.optional]


@bp.route("/template/<kind>.xlsx")
@staff_required("admin", "operator")
def template(kind: str):
    """The XLSX template of one import kind: its own layout when it has one, else its columns and example row."""
    found = registry.find(kind)
    if found is None:
        abort(404, description=f"no import kind {kind[:20]!r}")
    if found.template is not None:
        return _own_layout(found)
    head = columns(found)
    required = set(found.required)
    help_rows = [[c, "bắt buộc" if c in required else "tuỳ chọn"] for c in head]
    return xlsx.response(f"mau-{kind}.xlsx", [
        (kind, head, [[found.example.get(c, "") for c in head]]),
        ("Hướng dẫn", ["Cột", "Bắt buộc?"], help_rows),
    ])


def _own_layout(kind: ImportKind) -> Response:
    """A kind's template in its own layout (tonghop_th: SMAS's title rows and two-row header)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"mau-{kind.name}.xlsx"
        kind.template(path)
        data = path.read_bytes()
    return Response(data, mimetype=xlsx.MIME,
                    headers={"Content-Disposition": f'attachment; filename="mau-{kind.name}.xlsx"'})
