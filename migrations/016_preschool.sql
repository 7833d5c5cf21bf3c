-- Version 16: kindergarten (mầm non, SPEC §11). The students import's optional gioi_tinh; the kind DAN
-- (a morning note to the class teacher) is in teacher_messages since version 11.
ALTER TABLE students ADD COLUMN sex TEXT CHECK (sex IN ('nam', 'nu'));


-- Kindergarten (mầm non, SPEC §11; store/preschool/): daily notes, pickup changes, growth and
-- stage assessment. Rows a parent sees go through approval like grades.
-- A school's kindergarten settings: notes_need_approval 0 lets the daily notes reach parents
-- as the teacher saves them (approved by her save).
CREATE TABLE preschool_settings (
    school_id INTEGER PRIMARY KEY REFERENCES schools(id),
    notes_need_approval INTEGER NOT NULL DEFAULT 1 CHECK (notes_need_approval IN (0, 1))
);

-- One child's school day, exception first: a saved class day has a row for every child, most of
-- them "as usual" (present, an/ngu tot, the rest empty). nhac: reminders, ';'-joined codes
-- (ta, quan_ao, khan, thuoc, giay_to) or free text.
CREATE TABLE daily_notes (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students(id),
    date TEXT NOT NULL,
    present INTEGER NOT NULL DEFAULT 1 CHECK (present IN (0, 1)),
    an TEXT NOT NULL DEFAULT 'tot' CHECK (an IN ('tot', 'vua', 'it', 'khong')),
    ngu TEXT NOT NULL DEFAULT 'tot' CHECK (ngu IN ('tot', 'vua', 'it', 'khong')),
    ngu_phut INTEGER CHECK (ngu_phut BETWEEN 0 AND 300),
    ve_sinh TEXT NOT NULL DEFAULT '',
    suc_khoe TEXT NOT NULL DEFAULT '',
    nhac TEXT NOT NULL DEFAULT '',
    nhan_xet TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    UNIQUE (student_id, date)
);
CREATE INDEX daily_notes_approved_at ON daily_notes (approved_at);
CREATE INDEX daily_notes_status ON daily_notes (status);

-- DON: a guardian's pickup change. Recorded for the teacher, who confirms it (or refuses) on the
-- web; an SMS alone never authorises a pickup.
CREATE TABLE pickup_changes (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    class_id INTEGER REFERENCES classes(id),
    student_id INTEGER NOT NULL REFERENCES students(id),
    guardian_id INTEGER NOT NULL REFERENCES guardians(id),
    inbox_id INTEGER REFERENCES inbox(id),
    on_date TEXT NOT NULL,                     -- the local school day it is for
    person TEXT NOT NULL,                      -- nguoi don, as texted
    at_time TEXT,                              -- gio 'HH:MM', when given
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'confirmed', 'refused')),
    created_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT
);
CREATE INDEX pickup_changes_class ON pickup_changes (class_id, on_date);

-- Weight and height (cando): kg and cm; classified by the WHO tables when read (store.preschool.growth).
CREATE TABLE growth_measurements (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students(id),
    date TEXT NOT NULL,
    weight_kg REAL NOT NULL CHECK (weight_kg > 0),
    height_cm REAL NOT NULL CHECK (height_cm > 0),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    UNIQUE (student_id, date)
);
CREATE INDEX growth_measurements_approved_at ON growth_measurements (approved_at);

-- Stage assessment (danhgia_mn) per domain: TC, NT, NN, TCXH, TM; muc D đạt / CD chưa đạt.
CREATE TABLE preschool_assessments (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students(id),
    school_year TEXT NOT NULL,
    dot TEXT NOT NULL,                         -- the topic or age stage, as the school names it
    domain TEXT NOT NULL CHECK (domain IN ('TC', 'NT', 'NN', 'TCXH', 'TM')),
    level TEXT NOT NULL CHECK (level IN ('D', 'CD')),
    comment TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    UNIQUE (student_id, school_year, dot, domain)
);
CREATE INDEX preschool_assessments_approved_at ON preschool_assessments (approved_at);
