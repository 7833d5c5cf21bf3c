"""MK: a one-time code (10 minutes, single use) to set the web password."""
from __future__ import annotations

from outbox.templating import render
from store import otp

from .base import Command, Context, Reply, ReplyKind
from .grammar import Parsed


class Mk(Command):
    keyword = "MK"
    aliases = ("MK", "MATKHAU")
    slots = ()
    help = "MK: ma 1 lan (10 phut) de dat mat khau web"
    example = "MK"
    needs_child = False

    def handle(self, ctx: Context, parsed: Parsed, child=None) -> Reply:
        lifetime = ctx.settings.sms.otp_validity
        code = otp.issue(ctx.db, ctx.family.guardian_id, lifetime)
        url = ctx.settings.web.public_url.rstrip("/") + "/p/login"
        return Reply(render("mk.txt", code=code, minutes=lifetime // 60, url=url), kind=ReplyKind.OTP,
                     command=self.keyword, meta={"validity": lifetime})
