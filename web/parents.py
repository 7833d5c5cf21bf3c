"""(being built)"""
from flask import Blueprint, g

from .auth import parent_required

bp = Blueprint("parents", __name__, url_prefix="/parent")


@bp.route("/")
@parent_required
def index():
    return f"guardian {g.guardian_id}"
