"""(being built)"""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/staff")
