"""Digest e-mails against a real SMTP server (aiosmtpd): same news as the SMS, with diacritics, once."""
from __future__ import annotations

import dataclasses
import email
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from outbox import digest, mail

from .test_digest import DAY1, school_id


class Recorder:
    """An aiosmtpd handler keeping every message; refuses the addresses in ``refuse``."""

    def __init__(self, refuse=()):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def with_email(settings, port, **kw):
    return dataclasses.replace(settings, email=dataclasses.replace(
        settings.email, host="127.0.0.1", port=port, sender="sll@thcs-dd.edu.vn", starttls=False, **kw),
        digest=dataclasses.replace(settings.digest, email=True))


def emailed_guardians(db, sid):
    return db.execute("SELECT count(*) FROM digests d JOIN guardians g ON g.id = d.guardian_id WHERE d.school_id = ? "
                      "AND coalesce(g.email, '') != ''", [sid]).fetchone()[0]


def test_each_guardian_with_an_address_gets_the_digest_once_with_diacritics(school_db, sms_settings, smtp):
    settings = with_email(sms_settings, smtp.port)
    sid = school_id(school_db)
    digest.build(school_db, settings, sid, DAY1)
    expected = emailed_guardians(school_db, sid)
    assert expected > 1
    first = mail.send_digests(school_db, settings, sid, DAY1)
    assert (first.sent, first.refused, first.left) == (expected, 0, 0)
    assert len(smtp.messages) == expected
    again = mail.send_digests(school_db, settings, sid, DAY1)
    assert again.sent == 0 and len(smtp.messages) == expected, "never twice"
    hung = next(m for m in smtp.messages if m["To"].addresses[0].addr_spec == "hung.nguyen@example.vn")
    assert hung["Subject"] == f"Sổ liên lạc Trường THCS Đống Đa ngày {DAY1:%d/%m/%Y}"
    body = hung.get_content()
    assert "Nguyễn Thị Hoa – lớp 8A2" in body and "Điểm TOAN TX1" in body
    assert "Nguyễn Minh An" not in body, "one e-mail per school, like the SMS"
    sms = school_db.execute("SELECT body FROM messages WHERE kind = 'digest' AND phone = '+84912345678'").fetchone()[0]
    # The SMS summarises the whole term in one part; the e-mail lists every score.
    assert sms.startswith(f"SLL {DAY1:%d/%m}: Nguyen Thi Hoa 8A2: ") and "diem moi" in sms and "TX1" not in sms
    assert body.count("Điểm ") >= 10


def test_a_refused_address_is_skipped_and_the_rest_go(school_db, sms_settings, smtp):
    settings = with_email(sms_settings, smtp.port)
    sid = school_id(school_db)
    digest.build(school_db, settings, sid, DAY1)
    smtp.refuse.add("hung.nguyen@example.vn")
    result = mail.send_digests(school_db, settings, sid, DAY1)
    assert result.refused == 1 and result.sent == emailed_guardians(school_db, sid) - 1
    assert "hung.nguyen@example.vn" not in {m["To"].addresses[0].addr_spec for m in smtp.messages}


def test_an_unreachable_server_leaves_every_e_mail_for_the_next_run(school_db, sms_settings, smtp):
    sid = school_id(school_db)
    digest.build(school_db, sms_settings, sid, DAY1)
    down = mail.send_digests(school_db, with_email(sms_settings, free_port()), sid, DAY1)
    assert down.sent == 0 and down.left == emailed_guardians(school_db, sid)
    later = mail.send_digests(school_db, with_email(sms_settings, smtp.port), sid, DAY1)
    assert later.sent == down.left


def test_no_server_configured_or_digest_email_off_sends_nothing(school_db, sms_settings, smtp):
    sid = school_id(school_db)
    digest.build(school_db, sms_settings, sid, DAY1)
    assert not mail.enabled(sms_settings)
    assert mail.send_digests(school_db, sms_settings, sid, DAY1) == mail.MailResult(0, 0, 0)
    off = dataclasses.replace(with_email(sms_settings, smtp.port), digest=dataclasses.replace(
        sms_settings.digest, email=False))
    assert mail.send_digests(school_db, off, sid, DAY1) == mail.MailResult(0, 0, 0)
    assert smtp.messages == []


def test_the_digest_command_emails_after_queueing(cli, tmp_path, school_db_path, smtp):
    from .conftest import write_config
    cfg = write_config(tmp_path / "mail.toml", f'[email]\nhost = "127.0.0.1"\nport = {smtp.port}\n'
                       f'sender = "sll@example.vn"\nstarttls = false\n', db_path=school_db_path)
    out = cli("-c", str(cfg), "digest", "--school", "THCS-DD", "--date", DAY1.isoformat()).stdout
    assert "digests queued" in out and " e-mailed" in out
    assert smtp.messages, out


def test_item17_an_accented_address_already_stored_never_stops_the_other_e_mails(school_db, sms_settings, smtp):
    # Issue 11: imported before the import validated addresses; the SMTP server has no SMTPUTF8.
    settings = with_email(sms_settings, smtp.port)
    sid = school_id(school_db)
    school_db.execute("UPDATE guardians SET email = 'phụhuynh@example.vn' WHERE phone = '+84912345678'")
    digest.build(school_db, settings, sid, DAY1)
    result = mail.send_digests(school_db, settings, sid, DAY1)
    assert result.refused == 1 and result.sent == emailed_guardians(school_db, sid) - 1 and result.left == 0
