"""Spreadsheet imports from the web (SPEC §8 imports upload)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("uploads", __name__, url_prefix="/staff")
