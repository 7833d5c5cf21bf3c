"""Teacher data entry (SPEC §8): a class's grade book for one subject and term, edited on the web."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("entry", __name__, url_prefix="/staff")
