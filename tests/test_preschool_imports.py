"""Kindergarten imports: groups by their Vietnamese names, gioi_tinh, nhatky, cando, danhgia_mn; bad rows refused."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from store.imports import ImportRowsError
from store.preschool import measurements, notes
from store.rules.preschool import Amount

from .fixtures_imports import dump


def test_groups_and_sex(kindergarten):
    db = kindergarten.db
    assert dict(db.execute("SELECT name, grade FROM classes").fetchall()) == {"LA1": 0, "MAM1": -2}
    assert db.execute("SELECT level FROM schools").fetchone()[0] == "MN+TH"
    assert dict(db.execute("SELECT code, sex FROM students").fetchall()) == {
        "MN01": "nam", "MN02": "nu", "MN03": "nu", "MN04": "nam"}


def test_a_bad_sex_is_a_row_error(kindergarten):
    with pytest.raises(ImportRowsError) as e:
        kindergarten.load("students", [["ma_hs", "ho_ten", "gioi_tinh", "ma_truong", "lop", "nam_hoc"],
                                       ["MN09", "Vũ Hà", "x", "MN-HM", "La1", kindergarten.year]])
    assert "giới tính 'x' không đúng" in e.value.report.errors[0].reason


def test_nhatky_pending_then_approved_and_the_no_approval_setting(kindergarten):
    k, day = kindergarten, kindergarten.friday
    header = ["ma_hs", "ngay", "an", "ngu", "ve_sinh", "suc_khoe", "nhac", "nhan_xet"]
    k.load("nhatky", [header, ["MN01", day.strftime("%d/%m/%Y"), "Ít", "tốt", "", "", "bỉm; khăn", ""],
                      ["MN02", day.isoformat(), "", "", "", "", "", ""]])
    assert notes.latest(k.db, 1, day) is None            # pending: no parent sees it
    school_id = k.db.execute("SELECT id FROM schools").fetchone()[0]
    notes.set_need_approval(k.db, school_id, False)
    k.load("nhatky", [header, ["MN01", day.isoformat(), "it", "", "", "", "ta, khan", "Con hơi mệt"]])
    found_day, note = notes.latest(k.db, 1, day + timedelta(days=2))
    assert found_day == day and note.an is Amount.IT and note.nhac == ("ta", "khan") and note.nhan_xet == "Con hơi mệt"
    assert note.line() == "ăn ít; nhắc mang: bỉm/tã, khăn; cô nhận xét: Con hơi mệt"


@pytest.mark.parametrize("row, reason", [
    (["MN01", "{day}", "186", "105"], "cân nặng 186 kg không hợp lý"),
    (["MN01", "{day}", "18", "30"], "chiều cao 30 cm không hợp lý"),
    (["MN01", "{day}", "18", "45"], "không hợp lý với tuổi (chiều cao theo tuổi z=-1"),      # 60 months: WHO 2006
    (["MN03", "{day}", "18", "45"], "không hợp lý với tuổi (chiều cao theo tuổi z=-1"),      # 62 months: WHO 2007
    (["MN01", "{future}", "18", "108"], "chưa tới"),
    (["MN77", "{day}", "18", "108"], "không có trẻ mã MN77"),
    (["MN01", "{day}", "mười tám", "108"], "không phải số"),
])
def test_cando_bad_rows_write_nothing(kindergarten, row, reason):
    k = kindergarten
    future = k.friday + timedelta(days=400)
    cells = [c.format(day=k.friday.isoformat(), future=future.isoformat()) for c in row]
    before = dump(k.db)
    with pytest.raises(ImportRowsError) as e:
        k.load("cando", [["ma_hs", "ngay", "can_nang", "chieu_cao"], ["MN02", k.friday.isoformat(), "17,5", "106"],
                         cells])
    assert [err.row for err in e.value.report.errors] == [3]
    assert reason in e.value.report.errors[0].reason
    assert dump(k.db) == before


def test_cando_decimal_comma_and_classification(kindergarten):
    k = kindergarten
    k.load("cando", [["ma_hs", "ngay", "can_nang", "chieu_cao"], ["MN01", k.friday.isoformat(), "18,4", "110.5"],
                     ["MN04", k.friday.isoformat(), "9.8", "88"]], approve=True)
    an = measurements.latest(k.db, 1)
    assert (an.weight_kg, an.height_cm) == (18.4, 110.5) and an.growth.in_range()
    dung = measurements.latest(k.db, 4)
    assert not dung.growth.in_range()                   # 9.8 kg at 3 years 40 days is below -2 SD


def test_danhgia_mn(kindergarten):
    k = kindergarten
    k.load("danhgia_mn", [["ma_hs", "nam_hoc", "dot", "linh_vuc", "muc", "nhan_xet"],
                          ["MN01", k.year, "Chủ đề Gia đình", "Thể chất", "Đạt", ""],
                          ["MN01", k.year, "Chủ đề Gia đình", "ngôn ngữ", "CĐ", "Cần nói rõ câu hơn"]], approve=True)
    (stage,) = measurements.stages(k.db, 1, k.year)
    assert stage.dot == "Chủ đề Gia đình" and stage.levels == {"TC": ("D", None), "NN": ("CD", "Cần nói rõ câu hơn")}
    with pytest.raises(ImportRowsError) as e:
        k.load("danhgia_mn", [["ma_hs", "nam_hoc", "dot", "linh_vuc", "muc"], ["MN01", k.year, "GD", "Toán", "D"],
                              ["MN01", k.year, "GD", "TC", "Giỏi"]])
    assert [r.reason for r in e.value.report.errors] == [
        "lĩnh vực 'Toán' không đúng (TC, NT, NN, TCXH hoặc TM)", "mức 'Giỏi' không đúng (Đ đạt hoặc CĐ chưa đạt)"]


def test_the_demo_kindergarten_imports_and_answers_be(db, tmp_path, sms_settings):
    from store.imports import import_file
    from demo import preschool as demo

    from .fixtures_commands import Conversation
    for kind, path in demo.generate(tmp_path / "mn", seed=3, students_per_class=6):
        import_file(db, kind, path, approve=True, imported_by="demo")
    friday = max(date.fromisoformat(d) for (d,) in db.execute("SELECT date FROM daily_notes"))
    reply = Conversation(db, sms_settings, today=friday).send(demo.FIXED[0][0], "BE")
    assert reply.endswith("hom nay: an it; nhac mang: bim/ta; co nhan xet: Con hoi met.")


def test_pending_notes_and_measurements_are_approval_groups(kindergarten, sms_settings):
    from store.review import approvals
    from store.registry.review import spec
    k = kindergarten
    k.load("nhatky", [["ma_hs", "ngay", "an"], ["MN01", k.friday.isoformat(), "it"]])
    k.load("cando", [["ma_hs", "ngay", "can_nang", "chieu_cao"], ["MN01", k.friday.isoformat(), "18,4", "110"]])
    tz = sms_settings.sms.timezone
    groups = {g.key.kind: g for g in approvals.pending_groups(k.db, tz, school_id=1)}
    assert groups[spec("daily_notes")].key.kind.label == "Nhật ký mầm non"
    rows = approvals.pending_rows(k.db, groups[spec("growth_measurements")].key, tz)
    assert [r.detail for r in rows] == [f"{k.friday.isoformat()} 18.4 kg, 110 cm"]
    approvals.approve(k.db, [groups[spec("daily_notes")].key], actor="hieu.truong", tz=tz, school_id=1)
    assert notes.latest(k.db, 1, k.friday)[1].an is Amount.IT


def test_cando_reads_accented_headers_of_a_school_sheet(kindergarten):
    k = kindergarten
    report = k.load("cando", [["Mã học sinh", "Ngày", "Cân nặng (kg)", "Chiều cao (cm)"],
                              ["MN01", k.friday.strftime("%d/%m/%Y"), "18,4", "110,5"]])
    assert report.inserted == 1


def test_nhatky_bad_rows_are_row_errors_and_write_nothing(kindergarten):
    k = kindergarten
    header = ["ma_hs", "ngay", "an", "ngu"]
    before = dump(k.db)
    with pytest.raises(ImportRowsError) as e:
        k.load("nhatky", [header, ["MN01", k.friday.isoformat(), "it", ""],
                          ["MN01", (k.friday + timedelta(days=400)).isoformat(), "", ""],
                          ["MN77", k.friday.isoformat(), "", ""], ["MN02", k.friday.isoformat(), "nhiều", ""],
                          ["MN03", "31/02/2026", "", ""]])
    assert [(err.row, err.reason.split(" (")[0]) for err in e.value.report.errors] == [
        (3, f"ngày {k.friday + timedelta(days=400):%d/%m/%Y} chưa tới"), (4, "không có trẻ mã MN77"),
        (5, "ăn 'nhiều' không đúng"), (6, "ngày '31/02/2026' không đúng")]
    assert dump(k.db) == before


def test_a_date_after_the_schools_today_is_refused_in_the_schools_time_zone(kindergarten):
    """With the schools' time zone (the web upload and the CLI give it) tomorrow there is refused at any hour;
    UTC-11 is used so that UTC+14's date (the fallback without a zone) is always past it."""
    from store.core.clock import local_today
    k, tz = kindergarten, "Pacific/Pago_Pago"
    tomorrow = local_today(tz) + timedelta(days=1)
    for kind, row in (("nhatky", ["MN01", tomorrow.isoformat(), "it", ""]),
                      ("cando", ["MN01", tomorrow.isoformat(), "18,4", "110"])):
        header = ["ma_hs", "ngay", "an", "ngu"] if kind == "nhatky" else ["ma_hs", "ngay", "can_nang", "chieu_cao"]
        with pytest.raises(ImportRowsError) as e:
            k.load(kind, [header, row], tz=tz)
        assert e.value.report.errors[0].reason == f"ngày {tomorrow:%d/%m/%Y} chưa tới"
    assert k.load("nhatky", [["ma_hs", "ngay", "an"], ["MN01", local_today(tz).isoformat(), "it"]], tz=tz).inserted == 1
