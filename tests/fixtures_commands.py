"""Conversation fixtures: run transcripts against the demo school (school_db)."""
from __future__ import annotations

from datetime import date

import pytest

import settings as settings_mod
from commands.service import answer
from store.clock import local_today, school_year_of


def hk1_day(settings) -> date:
    """28 November of the current school year: inside HK1 whatever day the tests run."""
    year = int(school_year_of(local_today(settings.sms.timezone))[:4])
    return date(year, 11, 28)


class Conversation:
    """Texts in, replies out, like the RapidSMS scripted harness."""

    def __init__(self, db, settings, today: date | None = None):
        self.db, self.settings = db, settings
        self.today = today or hk1_day(settings)
        self.log: list[str] = []

    def send(self, phone: str, text: str) -> str | None:
        """One text; returns the reply text (None = silence)."""
        result = answer(self.db, self.settings, phone, text, today=self.today)
        reply = result.reply.text if result.reply else None
        self.log += [f"{phone} > {text}", f"{phone} < {reply}"]
        return reply

    def run(self, script: str) -> None:
        """Check a transcript: '0912 > text' sends; the following '0912 < reply' must match exactly
        ('0912 ~ fragment' checks a fragment, '0912 < (none)' checks silence)."""
        last = {}
        for line in (l.strip() for l in script.strip().splitlines()):
            if not line or line.startswith("#"):
                continue
            phone, arrow, rest = line.split(" ", 2) if line.count(" ") >= 2 else (*line.split(" "), "")
            if arrow == ">":
                last[phone] = self.send(phone, rest)
            elif arrow == "~":
                assert last[phone] is not None and rest in last[phone], f"{rest!r} not in {last[phone]!r}"
            elif rest == "(none)":
                assert last[phone] is None, f"expected silence, got {last[phone]!r}"
            else:
                assert last[phone] == rest, f"\nexpected: {rest}\n     got: {last[phone]}"


@pytest.fixture
def sms_settings(tmp_path):
    """Default settings (the product's config.toml), transliteration on."""
    return settings_mod.load(settings_mod.DEFAULT_CONFIG, env={})


@pytest.fixture
def convo(school_db, sms_settings):
    """A conversation with the demo school (SHOWCASE families of store.demo_school)."""
    return Conversation(school_db, sms_settings)
