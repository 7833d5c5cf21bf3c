"""(being built)"""
from flask import Blueprint, g

from .auth import staff_required

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/")
@staff_required()
def index():
    return f"staff {g.staff.login}"
