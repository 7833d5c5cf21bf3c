-- sll: foreign_keys off
-- Version 12: primary schools (Thông tư 27/2020) and, in the same single rebuild, room for
-- kindergarten: a school's level accepts MN, TH, THCS, THPT and '+'-joined combinations
-- (store.school.levels validates them), a khối is 1-12 or a kindergarten group (NT -3, MGB -2,
-- MGN -1, MGL 0). SQLite changes a CHECK only by rebuilding the table (its 12-step
-- procedure): the runner turns foreign keys off around this file (the marker above) and
-- runs PRAGMA foreign_key_check before it commits.
CREATE TABLE schools_v8 (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,                 -- ma_truong
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level <> ''),   -- cap: MN, TH, THCS, THPT or '+'-joined (TH+THCS); store.school.levels validates
    absence_alert INTEGER NOT NULL DEFAULT 0,  -- 1: an approved absence is texted at once
    created_at TEXT NOT NULL
);
INSERT INTO schools_v8 (id, code, name, level, absence_alert, created_at)
    SELECT id, code, name, level, absence_alert, created_at FROM schools;
DROP TABLE schools;
ALTER TABLE schools_v8 RENAME TO schools;

CREATE TABLE classes_v8 (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    school_year TEXT NOT NULL,
    name TEXT NOT NULL,                        -- lop, e.g. 8A2
    grade INTEGER NOT NULL CHECK (grade BETWEEN -3 AND 12),  -- khoi: 1-12; kindergarten NT -3, MGB -2, MGN -1, MGL 0
    homeroom_teacher TEXT,                     -- gvcn (name as imported)
    homeroom_user_id INTEGER REFERENCES users(id),
    UNIQUE (school_id, school_year, name)
);
INSERT INTO classes_v8 (id, school_id, school_year, name, grade, homeroom_teacher, homeroom_user_id)
    SELECT id, school_id, school_year, name, grade, homeroom_teacher, homeroom_user_id FROM classes;
DROP TABLE classes;
ALTER TABLE classes_v8 RENAME TO classes;

CREATE TABLE subjects_v8 (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    code TEXT NOT NULL,                        -- ma_mon, canonical (TOAN, VAN, ...)
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('diem', 'nhanxet')),
    grade INTEGER NOT NULL CHECK (grade BETWEEN -3 AND 12),  -- khoi, as in classes.grade
    periods_per_year INTEGER NOT NULL CHECK (periods_per_year > 0),
    UNIQUE (school_id, code, grade)
);
INSERT INTO subjects_v8 (id, school_id, code, name, kind, grade, periods_per_year)
    SELECT id, school_id, code, name, kind, grade, periods_per_year FROM subjects;
DROP TABLE subjects;
ALTER TABLE subjects_v8 RENAME TO subjects;

-- Primary schools (tiểu học, Thông tư 27/2020; store/primary/). Assessment points (point):
-- GK1 giữa HK I, CK1 cuối HK I, GK2 giữa HK II, CN cuối năm.
-- A subject's or activity's level (T/H/C), periodic test score (whole 0-10, only where TT27
-- holds a test) and the teacher's comment at one point.
CREATE TABLE primary_assessments (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students(id),
    school_year TEXT NOT NULL,
    point TEXT NOT NULL CHECK (point IN ('GK1', 'CK1', 'GK2', 'CN')),
    subject_code TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('T', 'H', 'C')),
    score INTEGER CHECK (score BETWEEN 0 AND 10),
    comment TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    corrected INTEGER NOT NULL DEFAULT 0,
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    UNIQUE (student_id, school_year, point, subject_code)
);
CREATE INDEX primary_assessments_approved_at ON primary_assessments (approved_at);
CREATE INDEX primary_assessments_status ON primary_assessments (status);

-- Qualities (phẩm chất) and competences (năng lực) at one point: T Tốt, D Đạt, C Cần cố gắng.
CREATE TABLE primary_qualities (
    student_id INTEGER NOT NULL REFERENCES students(id),
    school_year TEXT NOT NULL,
    point TEXT NOT NULL CHECK (point IN ('GK1', 'CK1', 'GK2', 'CN')),
    code TEXT NOT NULL,                        -- YN, NA, CC, TTH, TNH, TCTH, GTHT, GQVD, NN, TT, KH, CNG, TH, TM, TC
    level TEXT NOT NULL CHECK (level IN ('T', 'D', 'C')),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    corrected INTEGER NOT NULL DEFAULT 0,
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    PRIMARY KEY (student_id, school_year, point, code)
);
CREATE INDEX primary_qualities_approved_at ON primary_qualities (approved_at);
CREATE INDEX primary_qualities_status ON primary_qualities (status);

-- Official year-end results (ketqua_th): without a row the result is computed ("tam tinh").
CREATE TABLE primary_results (
    student_id INTEGER NOT NULL REFERENCES students(id),
    school_year TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('HTXS', 'HTT', 'HT', 'CHT')),
    commendation TEXT CHECK (commendation IN ('XS', 'TB')),  -- Học sinh Xuất sắc / Tiêu biểu
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    PRIMARY KEY (student_id, school_year)
);
CREATE INDEX primary_results_approved_at ON primary_results (approved_at);
