"""The kindergarten digest: a usual day sends nothing, an unusual day one line, the week's line on Friday,
a new measurement; still one SMS per guardian a day."""
from __future__ import annotations

from datetime import timedelta

from outbox import digest
from store.core.clock import utcnow

HEADER = ["ma_hs", "ngay", "an", "ngu", "ve_sinh", "suc_khoe", "nhac", "nhan_xet", "vang"]


def _digests(db):
    return dict(db.execute("SELECT phone, body FROM messages WHERE kind = 'digest' ORDER BY id").fetchall())


def test_usual_days_send_nothing_an_unusual_day_one_line_and_friday_the_week(kindergarten, sms_settings):
    k = kindergarten
    days = [k.monday + timedelta(days=i) for i in range(4)]
    rows = [HEADER] + [[code, d.isoformat(), "", "", "", "", "", "", ""] for d in days for code in ("MN01", "MN02")]
    k.load("nhatky", rows, approve=True)
    digest.build(k.db, sms_settings, 1, days[-1], now=utcnow())
    assert _digests(k.db) == {}                         # four usual days: not one SMS

    k.load("nhatky", [HEADER, ["MN01", days[2].isoformat(), "", "it", "", "", "", "", ""]], approve=True)
    digest.build(k.db, sms_settings, 1, days[-1] + timedelta(days=0), now=utcnow())
    # the run of that day is built already: the late correction waits for the next day's run
    assert _digests(k.db) == {}

    k.load("nhatky", [HEADER, ["MN01", k.friday.isoformat(), "it", "", "", "", "quan ao", "", ""],
                      ["MN02", k.friday.isoformat(), "", "", "", "", "", "", "x"]], approve=True)
    result = digest.build(k.db, sms_settings, 1, k.friday, now=utcnow())
    sent = _digests(k.db)
    span = f"{k.monday.day}-{k.friday.day}/{k.friday.month}" if k.monday.month == k.friday.month \
        else f"{k.monday.day}/{k.monday.month}-{k.friday.day}/{k.friday.month}"
    d = f"{days[2]:%d/%m}"
    f = f"{k.friday:%d/%m}"
    assert sent["+84911000001"] == (f"SLL {f}: Nguyen Minh An LA1: Nhat ky {d}: ngu it; "
                                    f"Nhat ky {f}: an it; nhac mang: quan ao; "
                                    f"Tuan {span}: di hoc 5/5, an tot 4/5, ngu tot 4/5")
    assert sent["+84911000002"] == (f"SLL {f}: Tran Thi Binh LA1: Nhat ky {f}: nghi hoc; "
                                    f"Tuan {span}: di hoc 4/5, an tot 4/4, ngu tot 4/4")
    assert result.created == 2 and "+84911000003" not in sent   # Chi has no notes: nothing to tell


def test_a_new_measurement_joins_the_days_one_sms(kindergarten, sms_settings):
    k = kindergarten
    day = k.friday - timedelta(days=1)
    k.load("nhatky", [HEADER, ["MN01", day.isoformat(), "vua", "", "", "", "", "", ""]], approve=True)
    k.load("cando", [["ma_hs", "ngay", "can_nang", "chieu_cao"], ["MN01", day.isoformat(), "18,4", "110,5"]],
           approve=True)
    digest.build(k.db, sms_settings, 1, day, now=utcnow())
    rows = k.db.execute("SELECT body FROM messages WHERE kind = 'digest' AND phone = '+84911000001'").fetchall()
    assert [r[0] for r in rows] == [f"SLL {day:%d/%m}: Nguyen Minh An LA1: Nhat ky {day:%d/%m}: an vua; "
                                    f"Can do {day:%d/%m}: 18,4 kg, 110,5 cm (nhan CAN)"]


def test_a_friday_holiday_moves_the_weeks_line_to_thursday(kindergarten, sms_settings):
    k = kindergarten
    thursday = k.friday - timedelta(days=1)
    k.load("events", [["ma_truong", "lop", "ngay", "loai", "tieu_de"], ["MN-HM", "", k.friday.isoformat(), "nghi",
                                                                      "Nghỉ lễ"]], approve=True)
    days = [k.monday + timedelta(days=i) for i in range(4)]
    k.load("nhatky", [HEADER] + [["MN01", d.isoformat(), "", "", "", "", "", "", ""] for d in days], approve=True)
    digest.build(k.db, sms_settings, 1, thursday, now=utcnow())
    body = _digests(k.db)["+84911000001"]
    assert body.endswith(": di hoc 4/4, an tot 4/4, ngu tot 4/4") and "Tuan " in body
