"""(being built)"""
from flask import Blueprint, render_template

from .auth import staff_required

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/")
@staff_required()
def index():
    return render_template("staff/index.html")
