"""The principal's overview (SPEC §8): per class of a school, results, averages, absences, engagement."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("overview", __name__, url_prefix="/staff")
