"""MK: a one-time code (10 minutes, single use) to set the web password.

A guardian's number gets the parents' code; a staff phone that is not a
guardian's gets a code for its staff account(s), as the accounts page's reset
would text it (the password stays until the code sets a new one).
"""
from __future__ import annotations

from outbox.templating import render
from store.core import audit
from store.school import otp
from store.school.phones import mask
from store.staff import accounts, codes

from .base import Audience, Command, Context, Reply, ReplyKind
from .grammar import Parsed


class Mk(Command):
    keyword = "MK"
    aliases = ("MK", "MATKHAU")
    slots = ()
    help = "MK: ma 1 lan (10 phut) de dat mat khau web"
    example = "MK"
    audience = Audience.ANY

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        lifetime = ctx.settings.sms.otp_validity
        if ctx.family is None or not ctx.family.children:
            return self._staff(ctx, lifetime)
        code = otp.issue(ctx.db, ctx.family.guardian_id, lifetime)
        url = ctx.settings.web.public_url.rstrip("/") + "/p/login"
        return Reply(render("mk.txt", code=code, minutes=lifetime // 60, url=url), kind=ReplyKind.OTP,
                     command=self.keyword, meta={"validity": lifetime})

    def _staff(self, ctx: Context, lifetime: int) -> Reply:
        """A code for each active account of the staff phone (one per school it works at)."""
        url = ctx.settings.web.public_url.rstrip("/") + "/staff/first-login"
        texts = []
        for member in ctx.staff:
            row = ctx.db.execute("SELECT login FROM users WHERE id = ? AND active = 1", [member.user_id]).fetchone()
            if row is None:
                continue
            code = codes.issue(ctx.db, member.user_id, codes.Delivery.SMS, issued_by="sms:MK", lifetime_s=lifetime)
            accounts.mark_invited(ctx.db, member.user_id)
            # As the web's and the command line's codes are (never the code itself): who, which account, where.
            audit.record(ctx.db, ctx.actor, "sms:account-code", school_id=member.school_id, account=row[0],
                         delivery=codes.Delivery.SMS.value, phone=mask(ctx.phone))
            texts.append(render("ma_can_bo.txt", code=code, login=row[0], minutes=lifetime // 60, url=url))
        if not texts:
            return Reply(render("nv_chua_tk.txt"), command=self.keyword, school_id=ctx.staff[0].school_id)
        return Reply(" | ".join(texts), kind=ReplyKind.OTP, command=self.keyword, school_id=ctx.staff[0].school_id,
                     meta={"validity": lifetime})
