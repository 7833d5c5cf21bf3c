-- SLL Gateway: the whole current schema. A fresh database is created from
-- this file; migrations/NNN_*.sql bring older ones (PRAGMA user_version) to
-- exactly this. Timestamps (*_at) are UTC ISO-8601 text
-- ('2026-11-28T12:00:00.123Z'); school dates (*_on, date) are local dates
-- 'YYYY-MM-DD' in sms.timezone. school_year is '2025-2026'. term is 1 or 2
-- (0 = the whole year where a row can be yearly).
-- Approval columns (status/entered_by/entered_at/approved_by/approved_at):
-- nothing with status 'pending' ever reaches a parent.
-- Khối (classes.grade, subjects.grade) is an integer: grades 1-12 as they are, the
-- kindergarten groups before grade 1 in age order: NT (nhà trẻ) -3, MGB (mẫu giáo bé) -2,
-- MGN (mẫu giáo nhỡ) -1, MGL (mẫu giáo lớn) 0 (store.levels maps khối <-> level <-> rules).

CREATE TABLE schools (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,                 -- ma_truong
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level <> ''),   -- cap: MN, TH, THCS, THPT or '+'-joined (TH+THCS); store.levels validates
    absence_alert INTEGER NOT NULL DEFAULT 0,  -- 1: an approved absence is texted at once
    created_at TEXT NOT NULL
);

CREATE TABLE terms (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    school_year TEXT NOT NULL,
    term INTEGER NOT NULL CHECK (term IN (1, 2)),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    UNIQUE (school_id, school_year, term)
);

CREATE TABLE classes (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    school_year TEXT NOT NULL,
    name TEXT NOT NULL,                        -- lop, e.g. 8A2
    grade INTEGER NOT NULL CHECK (grade BETWEEN -3 AND 12),  -- khoi: 1-12; kindergarten NT -3, MGB -2, MGN -1, MGL 0
    homeroom_teacher TEXT,                     -- gvcn (name as imported)
    homeroom_user_id INTEGER REFERENCES users(id),
    UNIQUE (school_id, school_year, name)
);

CREATE TABLE subjects (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    code TEXT NOT NULL,                        -- ma_mon, canonical (TOAN, VAN, ...)
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('diem', 'nhanxet')),
    grade INTEGER NOT NULL CHECK (grade BETWEEN -3 AND 12),  -- khoi, as in classes.grade
    periods_per_year INTEGER NOT NULL CHECK (periods_per_year > 0),
    UNIQUE (school_id, code, grade)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'admin', 'reviewer', 'teacher')),
    school_id INTEGER REFERENCES schools(id),  -- NULL only for operators
    full_name TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    CHECK (role = 'operator' OR school_id IS NOT NULL)
);

-- A teacher's scope: a class, and optionally one subject in it (GVBM).
CREATE TABLE user_classes (
    user_id INTEGER NOT NULL REFERENCES users(id),
    class_id INTEGER NOT NULL REFERENCES classes(id),
    subject_code TEXT NOT NULL DEFAULT '',     -- '' = every subject (GVCN)
    PRIMARY KEY (user_id, class_id, subject_code)
);

CREATE TABLE students (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,                 -- ma_hs
    full_name TEXT NOT NULL,
    given_name_folded TEXT NOT NULL,           -- last word, unaccented upper case, for CON matching
    birth_date TEXT,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    sex TEXT CHECK (sex IN ('nam', 'nu'))      -- gioi_tinh (kindergarten growth needs it; WHO tables are per sex)
);

CREATE TABLE enrollments (
    student_id INTEGER NOT NULL REFERENCES students(id),
    school_year TEXT NOT NULL,
    class_id INTEGER NOT NULL REFERENCES classes(id),
    PRIMARY KEY (student_id, school_year)
);
CREATE INDEX enrollments_class ON enrollments (class_id);

CREATE TABLE guardians (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL UNIQUE,                -- E.164, +84...
    full_name TEXT,
    email TEXT,
    password_hash TEXT,                        -- set through an MK code
    created_at TEXT NOT NULL
);

-- Guardian-student link for one school year: a recycled number loses
-- access when the next year's list no longer has it.
CREATE TABLE guardian_links (
    id INTEGER PRIMARY KEY,
    guardian_id INTEGER NOT NULL REFERENCES guardians(id),
    student_id INTEGER NOT NULL REFERENCES students(id),
    school_year TEXT NOT NULL,
    relation TEXT,                             -- quan_he: Bo, Me, ...
    consent_source TEXT NOT NULL CHECK (consent_source IN ('import', 'teacher', 'web')),
    consent_at TEXT NOT NULL,
    digest_opt_out INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    UNIQUE (guardian_id, student_id, school_year)
);
CREATE INDEX guardian_links_student ON guardian_links (student_id, school_year);

CREATE TABLE grades (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students(id),
    subject_code TEXT NOT NULL,
    school_year TEXT NOT NULL,
    term INTEGER NOT NULL CHECK (term IN (1, 2)),
    kind TEXT NOT NULL CHECK (kind IN ('TX', 'GK', 'CK')),
    seq INTEGER NOT NULL DEFAULT 1,
    value TEXT NOT NULL,                       -- '7.5' (exact decimal text) or 'D' / 'CD'
    date TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    corrected INTEGER NOT NULL DEFAULT 0,      -- 1: changed after it had been approved ("sua")
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    UNIQUE (student_id, subject_code, school_year, term, kind, seq)
);
CREATE INDEX grades_approved_at ON grades (approved_at);
CREATE INDEX grades_status ON grades (status);

-- Official (imported) term/year results; without a row, results are
-- computed and shown as provisional ("tam tinh").
CREATE TABLE results (
    student_id INTEGER NOT NULL REFERENCES students(id),
    school_year TEXT NOT NULL,
    term INTEGER NOT NULL CHECK (term IN (0, 1, 2)),
    learning TEXT CHECK (learning IN ('T', 'K', 'D', 'CD')),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    PRIMARY KEY (student_id, school_year, term)
);

CREATE TABLE conduct (
    student_id INTEGER NOT NULL REFERENCES students(id),
    school_year TEXT NOT NULL,
    term INTEGER NOT NULL CHECK (term IN (0, 1, 2)),
    rating TEXT NOT NULL CHECK (rating IN ('T', 'K', 'D', 'CD')),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    PRIMARY KEY (student_id, school_year, term)
);
CREATE INDEX conduct_approved_at ON conduct (approved_at);

CREATE TABLE attendance (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students(id),
    date TEXT NOT NULL,
    session TEXT NOT NULL CHECK (session IN ('S', 'C', 'N')),  -- buoi: sang, chieu, ca ngay
    excused INTEGER NOT NULL CHECK (excused IN (0, 1)),        -- co_phep
    reason TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    alerted_at TEXT,                           -- the immediate absence alert went out
    UNIQUE (student_id, date, session)
);
CREATE INDEX attendance_approved_at ON attendance (approved_at);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students(id),
    date TEXT NOT NULL,
    subject_code TEXT NOT NULL DEFAULT '',     -- '' = general (GVCN)
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    UNIQUE (student_id, date, subject_code, body)
);
CREATE INDEX comments_student ON comments (student_id, date);
CREATE INDEX comments_approved_at ON comments (approved_at);

-- Events (exams, meetings, holidays) and announcements (kind 'thongbao').
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    class_id INTEGER REFERENCES classes(id),   -- NULL = the whole school
    date TEXT NOT NULL,
    kind TEXT NOT NULL,                        -- loai: thi, hop, nghi, thongbao, khac
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    entered_by TEXT,
    entered_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    UNIQUE (school_id, class_id, date, kind, title)
);
CREATE INDEX events_school_date ON events (school_id, date);
CREATE INDEX events_approved_at ON events (approved_at);

-- Parent texts (MO). Stored before the deliver_sm_resp.
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    connection TEXT NOT NULL,
    source_addr TEXT NOT NULL,                 -- as received
    phone TEXT,                                -- E.164, NULL when not a phone number
    text TEXT,                                 -- NULL once purged (retention)
    data_coding INTEGER NOT NULL DEFAULT 0,
    dedup_key TEXT NOT NULL,                   -- hash of source, text and SMSC reference
    received_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'answered', 'duplicate', 'ignored')),
    command TEXT,                              -- keyword it was parsed as
    school_id INTEGER REFERENCES schools(id),
    reply_id INTEGER REFERENCES messages(id),
    answered_at TEXT
);
CREATE INDEX inbox_phone_received ON inbox (phone, received_at);
CREATE INDEX inbox_dedup ON inbox (dedup_key, received_at);
CREATE INDEX inbox_state ON inbox (state);

-- Parts of concatenated parent texts, stored before each part's deliver_sm_resp and
-- joined from here (any bind, any process). inbox_id is set once the text is assembled;
-- done parts stay a while so a re-sent part of a finished text is recognised.
CREATE TABLE inbox_parts (
    id INTEGER PRIMARY KEY,
    connection TEXT NOT NULL,
    source_addr TEXT NOT NULL,
    source_ton INTEGER NOT NULL DEFAULT 0,
    ref INTEGER NOT NULL,
    total INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data_coding INTEGER NOT NULL,
    codec TEXT,                                -- gsm / ascii / latin-1 / utf-16-be; NULL = binary
    payload BLOB NOT NULL,
    received_at TEXT NOT NULL,
    inbox_id INTEGER REFERENCES inbox(id)
);
CREATE INDEX inbox_parts_group ON inbox_parts (connection, source_addr, ref, total, inbox_id);
CREATE INDEX inbox_parts_open ON inbox_parts (received_at) WHERE inbox_id IS NULL;

-- Outbox: one row per SMS (the source of truth; Redis only carries work).
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    connection TEXT NOT NULL,
    phone TEXT NOT NULL,                       -- E.164
    body TEXT,                                 -- NULL once purged (retention)
    kind TEXT NOT NULL CHECK (kind IN ('reply', 'otp', 'digest', 'announcement', 'teacher', 'alert', 'hint')),
    priority INTEGER NOT NULL DEFAULT 1,       -- 0 = replies queue, 1 = bulk
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'submitted', 'delivered',
        'undeliverable', 'expired', 'rejected', 'failed', 'unknown', 'ambiguous')),
    school_id INTEGER REFERENCES schools(id),
    class_id INTEGER REFERENCES classes(id),
    student_id INTEGER REFERENCES students(id),
    guardian_id INTEGER REFERENCES guardians(id),
    inbox_id INTEGER REFERENCES inbox(id),
    encoding TEXT,                             -- gsm / ucs2, set when segmented
    parts INTEGER,
    not_before TEXT NOT NULL,                  -- UTC; quiet hours push bulk here
    valid_until TEXT,                          -- UTC; validity_period
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until TEXT,                          -- a worker's claim on a 'sending' row
    duplicates INTEGER NOT NULL DEFAULT 0,     -- resubmits after an ambiguous submit
    error_code INTEGER,
    reason TEXT,                               -- why it failed, in the SMSC's words
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    final_at TEXT,
    updated_at TEXT NOT NULL,
    concat_ref INTEGER                         -- the reference its parts carry, kept for resends
);
CREATE INDEX messages_state_due ON messages (state, priority, not_before);
CREATE INDEX messages_school_created ON messages (school_id, created_at);
CREATE INDEX messages_phone ON messages (phone, created_at);
CREATE INDEX messages_state_kind ON messages (state, kind);   -- /metrics counts
CREATE INDEX messages_created ON messages (created_at);        -- an operator's day across every school
CREATE INDEX messages_otp_unpurged ON messages (created_at) WHERE kind = 'otp' AND body IS NOT NULL;  -- MK codes to blank

CREATE TABLE message_parts (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id),
    seq INTEGER NOT NULL,                      -- 1-based
    connection TEXT NOT NULL,
    smsc_id TEXT,                              -- canonical message id from submit_sm_resp
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'submitted', 'delivered',
        'undeliverable', 'expired', 'rejected', 'failed', 'unknown', 'ambiguous')),
    error_code INTEGER,
    submitted_at TEXT,
    final_at TEXT,
    UNIQUE (message_id, seq)
);
CREATE INDEX message_parts_smsc ON message_parts (connection, smsc_id);

-- Every receipt received; part_id NULL = an orphan waiting for its
-- submit_sm_resp (matched later or given up after sms.orphan_receipt_ttl).
CREATE TABLE receipts (
    id INTEGER PRIMARY KEY,
    connection TEXT NOT NULL,
    smsc_id TEXT NOT NULL,                     -- canonical form
    stat TEXT NOT NULL,                        -- DELIVRD, UNDELIV, ENROUTE, ...
    err TEXT,
    part_id INTEGER REFERENCES message_parts(id),
    received_at TEXT NOT NULL,
    raw TEXT
);
CREATE INDEX receipts_smsc ON receipts (connection, smsc_id);
CREATE INDEX receipts_orphans ON receipts (part_id, received_at) WHERE part_id IS NULL;

-- One digest run per school and local date: cutoffs make "news since the
-- previous digest" exact, the UNIQUE keys make a re-run a no-op.
CREATE TABLE digest_runs (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    local_date TEXT NOT NULL,
    cutoff_from TEXT,                          -- previous run's cutoff_to (UTC)
    cutoff_to TEXT NOT NULL,                   -- approvals up to here are in
    state TEXT NOT NULL DEFAULT 'building' CHECK (state IN ('building', 'built')),
    messages INTEGER NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    UNIQUE (school_id, local_date)
);

CREATE TABLE digests (
    guardian_id INTEGER NOT NULL REFERENCES guardians(id),
    school_id INTEGER NOT NULL REFERENCES schools(id),
    local_date TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES digest_runs(id),
    message_id INTEGER REFERENCES messages(id),
    emailed_at TEXT,
    PRIMARY KEY (guardian_id, school_id, local_date)
);

-- GV (message to the homeroom teacher) and NGHI (absence request) texts,
-- with the teacher's answer.
CREATE TABLE teacher_messages (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('GV', 'NGHI', 'GY', 'DAN')),
    school_id INTEGER NOT NULL REFERENCES schools(id),
    class_id INTEGER REFERENCES classes(id),
    student_id INTEGER NOT NULL REFERENCES students(id),
    guardian_id INTEGER NOT NULL REFERENCES guardians(id),
    inbox_id INTEGER REFERENCES inbox(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at TEXT,
    answer_message_id INTEGER REFERENCES messages(id)
);
CREATE INDEX teacher_messages_class ON teacher_messages (class_id, created_at);

-- MK one-time codes for the web password: hashed, single use.
CREATE TABLE otp_codes (
    id INTEGER PRIMARY KEY,
    guardian_id INTEGER NOT NULL REFERENCES guardians(id),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX otp_codes_guardian ON otp_codes (guardian_id, expires_at);

-- Registration hints to strangers and pumping refusals: one per number per
-- local day.
CREATE TABLE sender_notices (
    phone TEXT NOT NULL,
    local_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('stranger', 'rate_limited')),
    sent_at TEXT NOT NULL,
    PRIMARY KEY (phone, local_date, kind)
);

-- Every read of a child's data by staff, `ask` or the API; every change.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,                       -- user login, 'cli:ask', 'api:<token id>', masked phone
    action TEXT NOT NULL,
    school_id INTEGER,
    student_id INTEGER,
    detail TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_student ON audit_log (student_id, at);

-- Bearer tokens of the JSON API, per school and scope, stored hashed.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    school_id INTEGER REFERENCES schools(id),  -- NULL = every school (operator)
    scope TEXT NOT NULL CHECK (scope IN ('delivery', 'messages', 'all')),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Imports as they happened: who loaded what, with the counts.
CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    approved INTEGER NOT NULL DEFAULT 0,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL
);

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
