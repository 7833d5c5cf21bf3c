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
-- MGN (mẫu giáo nhỡ) -1, MGL (mẫu giáo lớn) 0 (store.school.levels maps khối <-> level <-> rules).

CREATE TABLE schools (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,                 -- ma_truong
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level <> ''),   -- cap: MN, TH, THCS, THPT or '+'-joined (TH+THCS); store.school.levels validates
    absence_alert INTEGER NOT NULL DEFAULT 0,  -- 1: an approved absence is texted at once
    created_at TEXT NOT NULL,
    -- teachers' announcements to their classes: 'direct' (no approval), 'approval' (the default), 'off'
    teacher_notices TEXT NOT NULL DEFAULT 'approval' CHECK (teacher_notices IN ('direct', 'approval', 'off'))
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
-- The evening digest's per-subject counts of approved scores, kept by triggers (migration 020).
CREATE TABLE grade_tallies (
    student_id INTEGER NOT NULL,
    subject_code TEXT NOT NULL,
    school_year TEXT NOT NULL,
    term INTEGER NOT NULL,
    approved_at TEXT NOT NULL,
    cells INTEGER NOT NULL,      -- approved grade rows of this key approved at approved_at
    exams INTEGER NOT NULL,      -- of them GK or CK
    PRIMARY KEY (student_id, subject_code, school_year, term, approved_at)
) WITHOUT ROWID;

CREATE TRIGGER grade_tallies_insert AFTER INSERT ON grades
WHEN new.status = 'approved' AND new.approved_at IS NOT NULL
BEGIN
    INSERT INTO grade_tallies (student_id, subject_code, school_year, term, approved_at, cells, exams)
    VALUES (new.student_id, new.subject_code, new.school_year, new.term, new.approved_at, 1, new.kind != 'TX')
    ON CONFLICT DO UPDATE SET cells = cells + 1, exams = exams + excluded.exams;
END;

CREATE TRIGGER grade_tallies_delete AFTER DELETE ON grades
WHEN old.status = 'approved' AND old.approved_at IS NOT NULL
BEGIN
    UPDATE grade_tallies SET cells = cells - 1, exams = exams - (old.kind != 'TX')
    WHERE student_id = old.student_id AND subject_code = old.subject_code AND school_year = old.school_year
      AND term = old.term AND approved_at = old.approved_at;
    DELETE FROM grade_tallies
    WHERE student_id = old.student_id AND subject_code = old.subject_code AND school_year = old.school_year
      AND term = old.term AND approved_at = old.approved_at AND cells <= 0;
END;

CREATE TRIGGER grade_tallies_update AFTER UPDATE OF student_id, subject_code, school_year, term, kind, status,
    approved_at ON grades
WHEN (old.status = 'approved' AND old.approved_at IS NOT NULL) OR (new.status = 'approved' AND new.approved_at IS NOT NULL)
BEGIN
    UPDATE grade_tallies SET cells = cells - 1, exams = exams - (old.kind != 'TX')
    WHERE old.status = 'approved' AND student_id = old.student_id AND subject_code = old.subject_code
      AND school_year = old.school_year AND term = old.term AND approved_at = old.approved_at;
    DELETE FROM grade_tallies
    WHERE old.status = 'approved' AND student_id = old.student_id AND subject_code = old.subject_code
      AND school_year = old.school_year AND term = old.term AND approved_at = old.approved_at AND cells <= 0;
    INSERT INTO grade_tallies (student_id, subject_code, school_year, term, approved_at, cells, exams)
    SELECT new.student_id, new.subject_code, new.school_year, new.term, new.approved_at, 1, new.kind != 'TX'
    WHERE new.status = 'approved' AND new.approved_at IS NOT NULL
    ON CONFLICT DO UPDATE SET cells = cells + 1, exams = exams + excluded.exams;
END;

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
-- By phone: only the kinds poll_privacy looks up (an evening's digests, at random phones, would each dirty a page).
CREATE INDEX messages_phone ON messages (phone, created_at) WHERE kind IN ('reply', 'announcement');
CREATE INDEX messages_state_kind ON messages (state, kind);   -- /metrics counts
CREATE INDEX messages_created ON messages (created_at);        -- an operator's day across every school
CREATE INDEX messages_otp_unpurged ON messages (created_at) WHERE kind = 'otp' AND body IS NOT NULL;  -- MK codes to blank
-- The sweep's expiry of queued rows past their validity (outbox/delivery.py: the same words).
CREATE INDEX messages_queued_valid ON messages (valid_until) WHERE state IN ('queued');

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
-- The sweep's parts whose receipt never came (outbox/delivery.py: the same words).
CREATE INDEX message_parts_submitted ON message_parts (submitted_at) WHERE state IN ('submitted');

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

-- GV (message to the homeroom teacher), NGHI (absence request), GY (an
-- opinion to the principal's queue, SPEC §14) and DAN (kindergarten's
-- morning note) texts, with the staff's answer.
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
CREATE INDEX teacher_messages_school ON teacher_messages (school_id, kind, created_at);

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

-- == Staff, departments and teaching assignment (SPEC §12; migrations/008_staff.sql) ==
CREATE TABLE IF NOT EXISTS departments (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    name TEXT NOT NULL,                        -- "Tổ Toán - Tin" as imported
    name_key TEXT NOT NULL,                    -- folded: lower case, no diacritics, single spaces
    UNIQUE (school_id, name_key)
);

CREATE TABLE IF NOT EXISTS staff (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    code TEXT NOT NULL,                        -- ma_gv
    full_name TEXT NOT NULL,
    phone TEXT,                                -- E.164 '+84...', as guardians.phone
    email TEXT,
    department_id INTEGER REFERENCES departments(id),
    position TEXT NOT NULL CHECK (position IN ('gv', 'to_truong', 'hieu_truong', 'pho_hieu_truong', 'van_thu',
                                               'dieu_phoi')),
    user_id INTEGER REFERENCES users(id),
    active INTEGER NOT NULL DEFAULT 1,
    UNIQUE (school_id, code)
);
CREATE INDEX IF NOT EXISTS staff_phone ON staff (phone) WHERE active = 1;
CREATE INDEX IF NOT EXISTS staff_user ON staff (user_id);

-- Who teaches what in one term (Bảng phân công giảng dạy). subject_code '' is a homeroom-only row;
-- homeroom = 1 makes the teacher the class's GVCN that term. Rows a --replace import no longer
-- lists are kept with active = 0, so the diff against the previous term stays exact.
CREATE TABLE IF NOT EXISTS teaching_assignments (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    school_year TEXT NOT NULL,
    term INTEGER NOT NULL CHECK (term IN (1, 2)),
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    class_id INTEGER NOT NULL REFERENCES classes(id),
    subject_code TEXT NOT NULL DEFAULT '',
    homeroom INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    UNIQUE (school_year, term, staff_id, class_id, subject_code)
);
CREATE INDEX IF NOT EXISTS teaching_assignments_term ON teaching_assignments (school_id, school_year, term);
CREATE INDEX IF NOT EXISTS teaching_assignments_staff ON teaching_assignments (staff_id, school_year, term);

-- One-time codes for a staff account's first login or reset: hashed, single use, short-lived.
-- delivery: 'sms' (texted to the staff phone) or 'shown' (shown once to the admin who made it).
CREATE TABLE IF NOT EXISTS account_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    delivery TEXT NOT NULL CHECK (delivery IN ('sms', 'shown')),
    issued_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX IF NOT EXISTS account_codes_user ON account_codes (user_id, expires_at);

-- Accounts the teachers import created that still wait for their first code (issued right after
-- the import by whoever ran it: the CLI or the web upload).
CREATE TABLE IF NOT EXISTS account_invites (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    created_at TEXT NOT NULL,
    issued_at TEXT
);

-- Question bank and self-tests (SPEC §15, store/questions/).
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    subject_code TEXT NOT NULL,                -- ma_mon (TOAN, ...)
    grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12),  -- khoi, primary included
    topic TEXT NOT NULL DEFAULT '',            -- chu_de
    body TEXT NOT NULL,
    choices TEXT NOT NULL,                     -- JSON list of 2-6 texts, in the author's order
    answer INTEGER NOT NULL CHECK (answer BETWEEN 0 AND 5),  -- index of the key in choices
    level TEXT NOT NULL CHECK (level IN ('M1', 'M2', 'M3', 'NB', 'TH', 'VD', 'VDC')),
    explanation TEXT NOT NULL DEFAULT '',      -- loi giai, shown after the test
    active INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT
);
CREATE INDEX IF NOT EXISTS questions_scope ON questions (school_id, subject_code, grade, topic);

CREATE TABLE IF NOT EXISTS quizzes (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    code TEXT NOT NULL UNIQUE,                 -- ma de, e.g. T5; a pupil's variant is T5-12
    title TEXT NOT NULL,
    subject_code TEXT NOT NULL,
    grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12),
    opens_at TEXT NOT NULL,                    -- UTC
    closes_at TEXT NOT NULL,
    max_attempts INTEGER NOT NULL DEFAULT 1 CHECK (max_attempts BETWEEN 1 AND 20),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (closes_at > opens_at)
);
CREATE TABLE IF NOT EXISTS quiz_items (
    quiz_id INTEGER NOT NULL REFERENCES quizzes(id),
    position INTEGER NOT NULL,                 -- 1-based item number
    question_id INTEGER REFERENCES questions(id),
    body TEXT NOT NULL,
    choices TEXT NOT NULL,
    answer INTEGER NOT NULL,
    level TEXT NOT NULL,
    explanation TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (quiz_id, position)
);
CREATE TABLE IF NOT EXISTS quiz_classes (
    quiz_id INTEGER NOT NULL REFERENCES quizzes(id),
    class_id INTEGER NOT NULL REFERENCES classes(id),
    PRIMARY KEY (quiz_id, class_id)
);
CREATE TABLE IF NOT EXISTS quiz_variants (
    id INTEGER PRIMARY KEY,
    quiz_id INTEGER NOT NULL REFERENCES quizzes(id),
    student_id INTEGER NOT NULL REFERENCES students(id),
    class_id INTEGER NOT NULL REFERENCES classes(id),
    seq INTEGER NOT NULL,
    code TEXT NOT NULL UNIQUE,                 -- <quiz code>-<seq>
    perms TEXT NOT NULL,                       -- JSON: per item, shown letter index -> choice index
    UNIQUE (quiz_id, student_id),
    UNIQUE (quiz_id, seq)
);
CREATE INDEX IF NOT EXISTS quiz_variants_student ON quiz_variants (student_id);
CREATE TABLE IF NOT EXISTS quiz_attempts (
    id INTEGER PRIMARY KEY,
    variant_id INTEGER NOT NULL REFERENCES quiz_variants(id),
    source TEXT NOT NULL CHECK (source IN ('sms', 'web')),
    guardian_id INTEGER REFERENCES guardians(id),
    inbox_id INTEGER,
    shown TEXT NOT NULL,                       -- JSON: per item the letter index picked (null = blank)
    correct INTEGER NOT NULL,
    total INTEGER NOT NULL,
    submitted_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quiz_attempts_variant ON quiz_attempts (variant_id, submitted_at);
CREATE TABLE IF NOT EXISTS quiz_refusals (
    variant_id INTEGER NOT NULL REFERENCES quiz_variants(id),
    reason TEXT NOT NULL CHECK (reason IN ('closed', 'limit', 'not_open')),
    at TEXT NOT NULL,
    PRIMARY KEY (variant_id, reason)
);

-- document library (SPEC §16): items, versions, files by content hash, review history, search index
CREATE TABLE library_blobs (
    sha256 TEXT PRIMARY KEY,            -- the file under <data dir>/library/blobs/<sha256[:2]>/<sha256>
    size INTEGER NOT NULL,
    kind TEXT NOT NULL,                 -- pdf, docx, xlsx, pptx, odt, jpg, png, gif, webp
    created_at TEXT NOT NULL
);
CREATE TABLE library_items (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    title TEXT NOT NULL,
    section TEXT NOT NULL CHECK (section IN ('giang_day', 'chuyen_mon', 'van_ban')),
    subject TEXT,                       -- a subject code (TOAN, VAN, ...) or NULL
    grade INTEGER CHECK (grade BETWEEN 1 AND 12),
    department_id INTEGER REFERENCES departments(id),
    source TEXT NOT NULL,               -- source or licence, as the owner wrote it
    owner_user_id INTEGER NOT NULL REFERENCES users(id),
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'submitted', 'approved', 'returned')),
    return_reason TEXT,                 -- the last reviewer's reason when returned
    reviewed_by INTEGER REFERENCES users(id),
    reviewed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX library_items_school_state ON library_items (school_id, state, department_id);
CREATE TABLE library_versions (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES library_items(id),
    number INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES library_blobs(sha256),
    file_name TEXT NOT NULL,            -- as uploaded, made safe (no folders)
    note TEXT,
    text_chars INTEGER NOT NULL DEFAULT 0,
    privacy_warning TEXT,               -- JSON: pupils' names / roster phones the text appears to contain
    uploaded_by INTEGER NOT NULL REFERENCES users(id),
    uploaded_at TEXT NOT NULL,
    UNIQUE (item_id, number)
);
CREATE INDEX library_versions_sha ON library_versions (sha256);
CREATE TABLE library_events (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES library_items(id),
    at TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    action TEXT NOT NULL,               -- create, upload, submit, withdraw, approve, return
    from_state TEXT,
    to_state TEXT,
    reason TEXT
);
CREATE INDEX library_events_item ON library_events (item_id, at);
-- Search (store.library.search): rowid = library_items.id, folded lower-case text (store.core.text.fold).
-- library_fts finds an item by any word of its title or text; detail = none keeps its lists small, so a
-- common word stays fast over 10,000 documents. library_titles ranks the title matches (bm25).
CREATE VIRTUAL TABLE library_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2', detail = none);
CREATE VIRTUAL TABLE library_titles USING fts5(title, tokenize = 'unicode61 remove_diacritics 2');

-- ---- Forum and góp ý (SPEC §14) ----
-- Forum rooms: parents of a class / of the school, staff of the school / of
-- a class, and one staff room per pupil. Made when first needed.
CREATE TABLE forum_rooms (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    kind TEXT NOT NULL CHECK (kind IN ('class_parents', 'school_parents', 'school_staff', 'class_staff', 'pupil')),
    school_year TEXT NOT NULL,
    class_id INTEGER REFERENCES classes(id),      -- class rooms
    student_id INTEGER REFERENCES students(id),   -- a pupil's staff room
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX forum_rooms_key ON forum_rooms
    (school_id, kind, school_year, IFNULL(class_id, 0), IFNULL(student_id, 0));

-- A topic (F27 in SMS is topic 27). Visible once its opening post is approved.
CREATE TABLE forum_topics (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES forum_rooms(id),
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'held', 'approved', 'rejected')),
    pinned INTEGER NOT NULL DEFAULT 0,
    closed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    approved_at TEXT,
    last_post_at TEXT
);
CREATE INDEX forum_topics_room ON forum_topics (room_id, status, pinned, last_post_at);
CREATE INDEX forum_topics_approved ON forum_topics (approved_at);

-- Posts: the opening post and the replies. A guardian's post waits for
-- moderation (pending), or is held for a phone number, a link or a blocked
-- word (held); staff posts are approved at once.
CREATE TABLE forum_posts (
    id INTEGER PRIMARY KEY,
    topic_id INTEGER NOT NULL REFERENCES forum_topics(id),
    guardian_id INTEGER REFERENCES guardians(id),
    user_id INTEGER REFERENCES users(id),
    author_name TEXT NOT NULL,                    -- as shown: "Phụ huynh em Hoa (6A)", a teacher's name
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'held', 'approved', 'rejected')),
    hold_reason TEXT,                             -- why it was held (phone, link, blocked word)
    source TEXT NOT NULL CHECK (source IN ('web', 'sms')),
    inbox_id INTEGER REFERENCES inbox(id),
    created_at TEXT NOT NULL,
    approved_at TEXT,                             -- when it became visible (at once for staff)
    moderated_by TEXT,
    moderated_at TEXT,
    moderation_note TEXT,
    CHECK ((guardian_id IS NULL) != (user_id IS NULL))
);
CREATE INDEX forum_posts_topic ON forum_posts (topic_id, status, id);
CREATE INDEX forum_posts_guardian ON forum_posts (guardian_id, status);
CREATE INDEX forum_posts_approved ON forum_posts (approved_at);

-- THEO F27 / BO F27 and the web's follow button; authors follow their own topics.
CREATE TABLE forum_follows (
    guardian_id INTEGER NOT NULL REFERENCES guardians(id),
    topic_id INTEGER NOT NULL REFERENCES forum_topics(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (guardian_id, topic_id)
);

-- A guardian follows the parent rooms of their children by default; a muted room leaves the digest.
CREATE TABLE forum_room_mutes (
    guardian_id INTEGER NOT NULL REFERENCES guardians(id),
    room_id INTEGER NOT NULL REFERENCES forum_rooms(id),
    PRIMARY KEY (guardian_id, room_id)
);

-- Per-school forum settings: every guardian post moderated (1) or only a guardian's first (0); the block list.
CREATE TABLE forum_settings (
    school_id INTEGER PRIMARY KEY REFERENCES schools(id),
    moderate_all INTEGER NOT NULL DEFAULT 0,
    block_words TEXT NOT NULL DEFAULT ''          -- one word or phrase a line
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
    computed INTEGER NOT NULL DEFAULT 0,          -- 1: computed from the CN levels for a commendation round's award:
                                                  -- read as tạm tính and computed again (store/primary/assessments.py)
    PRIMARY KEY (student_id, school_year)
);
CREATE INDEX primary_results_approved_at ON primary_results (approved_at);

-- ---- Polls and sign-ups (SPEC §13) ----
-- A poll (its id is the number in `BC 31 1`) asks the guardians of a school,
-- a grade or a class; a teacher's poll waits for a reviewer before it is sent.
CREATE TABLE polls (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    school_year TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('poll', 'signup')),
    target TEXT NOT NULL CHECK (target IN ('school', 'grade', 'class')),
    grade INTEGER,                                -- target 'grade'
    class_id INTEGER REFERENCES classes(id),      -- target 'class'
    question TEXT NOT NULL,
    anonymous INTEGER NOT NULL DEFAULT 0,         -- 1: who answered is dropped at closing
    public_tally INTEGER NOT NULL DEFAULT 0,      -- 1: KQBC <so> texts the tally
    closes_at TEXT NOT NULL,                      -- UTC
    status TEXT NOT NULL CHECK (status IN ('pending', 'open', 'closed', 'cancelled')),
    sms_text TEXT,                                -- the invitation exactly as sent
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    opened_by TEXT,
    opened_at TEXT,
    closed_at TEXT,
    reminded_at TEXT,
    forgotten_at TEXT,                            -- anonymous: nothing left to blank (store/community/poll_privacy.py)
    CHECK ((target = 'grade') = (grade IS NOT NULL)),
    CHECK ((target = 'class') = (class_id IS NOT NULL))
);
CREATE INDEX polls_school ON polls (school_id, status, closes_at);

CREATE TABLE poll_options (
    poll_id INTEGER NOT NULL REFERENCES polls(id),
    number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 9),
    label TEXT NOT NULL,
    capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),   -- sign-ups: places; beyond, a waiting list
    PRIMARY KEY (poll_id, number)
);

-- Who was asked: one row per guardian and child in the target when the poll opened.
CREATE TABLE poll_recipients (
    poll_id INTEGER NOT NULL REFERENCES polls(id),
    guardian_id INTEGER NOT NULL REFERENCES guardians(id),
    student_id INTEGER NOT NULL REFERENCES students(id),
    class_id INTEGER NOT NULL REFERENCES classes(id),
    message_id INTEGER REFERENCES messages(id),   -- the invitation (one per guardian)
    reminded INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (poll_id, guardian_id, student_id)
);

-- One answer per guardian and child, replaced until closing. An anonymous
-- poll's answers lose guardian_id and student_id when it closes.
CREATE TABLE poll_answers (
    id INTEGER PRIMARY KEY,
    poll_id INTEGER NOT NULL REFERENCES polls(id),
    guardian_id INTEGER REFERENCES guardians(id),
    student_id INTEGER REFERENCES students(id),
    class_id INTEGER NOT NULL REFERENCES classes(id),
    option INTEGER NOT NULL,
    place TEXT NOT NULL CHECK (place IN ('confirmed', 'waiting')),
    source TEXT NOT NULL CHECK (source IN ('sms', 'web')),
    answered_at TEXT NOT NULL,
    UNIQUE (poll_id, guardian_id, student_id)
);
CREATE INDEX poll_answers_option ON poll_answers (poll_id, option, place, id);

-- Teacher rounds (phiếu bình xét): the homeroom teacher asks the class's subject teachers for their
-- conduct view of each pupil (TT22 Điều 19.3) or "Học sinh Tiêu biểu" nominations (TT27 Art. 13).
-- Nothing of a round ever reaches a guardian.
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    class_id INTEGER NOT NULL REFERENCES classes(id),
    school_year TEXT NOT NULL,
    term INTEGER NOT NULL CHECK (term IN (1, 2)),
    kind TEXT NOT NULL CHECK (kind IN ('conduct', 'commendation')),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_by INTEGER NOT NULL REFERENCES users(id),
    opened_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX rounds_class ON rounds (class_id, status);

CREATE TABLE round_votes (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    student_id INTEGER NOT NULL REFERENCES students(id),
    level TEXT NOT NULL,              -- conduct: T, K, D, CD; commendation: C (đề cử), K (không)
    source TEXT NOT NULL CHECK (source IN ('web', 'sms')),
    at TEXT NOT NULL,
    PRIMARY KEY (round_id, staff_id, student_id)
);

-- Version 8 (review: approvals and announcements, issue 13):
-- Approvals (issue 13): what an approved row held before a correction (so the reviewer reads old -> new,
-- and a correction sent back restores it), and the groups sent back to whoever entered them, with the reason.
CREATE TABLE IF NOT EXISTS corrections (
    tbl TEXT NOT NULL,                         -- grades, conduct, ...
    row_id INTEGER NOT NULL,                   -- rowid in tbl
    previous TEXT NOT NULL,                    -- JSON: the approved values and their approval
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (tbl, row_id)
);
CREATE TABLE IF NOT EXISTS approval_returns (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    class_id INTEGER REFERENCES classes(id),
    kind TEXT NOT NULL,                        -- store.review.approvals.Kind
    subject TEXT NOT NULL DEFAULT '',
    entered_by TEXT,                           -- the teacher's login, or import:<file>
    entered_day TEXT NOT NULL,                 -- local date the rows were entered
    rows INTEGER NOT NULL,
    reason TEXT NOT NULL,
    returned_by TEXT NOT NULL,
    returned_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approval_returns_school ON approval_returns (school_id, returned_at);
-- Announcements sent (issue 13): the trace staff read on "Thông báo đã gửi". Messages of one send are
-- enqueued in one transaction, so their ids are the range first_message..last_message.
CREATE TABLE IF NOT EXISTS announcement_sends (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    target TEXT NOT NULL,                      -- what the composer showed: "toàn trường", "khối 8", "lớp 8A1, 8A2"
    class_ids TEXT,                            -- JSON list of class ids; NULL = the whole school
    text TEXT NOT NULL,                        -- the SMS as sent
    parts INTEGER NOT NULL,
    recipients INTEGER NOT NULL,
    first_message INTEGER,
    last_message INTEGER,
    send_at TEXT,                              -- scheduled (UTC); NULL = at once
    sent_by TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    approved_by TEXT                           -- who approved a teacher's send (NULL: none was needed)
);
CREATE INDEX IF NOT EXISTS announcement_sends_school ON announcement_sends (school_id, sent_at);

-- A teacher's announcement waiting for approval, and what became of it (store/review/notice_requests.py).
CREATE TABLE notice_requests (
    id INTEGER PRIMARY KEY,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    school_year TEXT NOT NULL,
    class_ids TEXT NOT NULL,                   -- JSON list of the teacher's class ids it goes to
    target TEXT NOT NULL,                      -- as the composer showed it: "lớp 8A2"
    text TEXT NOT NULL,                        -- the SMS as previewed (what the reviewer approves)
    parts INTEGER NOT NULL,
    include_opted_out INTEGER NOT NULL DEFAULT 0 CHECK (include_opted_out IN (0, 1)),
    send_at TEXT,                              -- scheduled (UTC); NULL = as soon as approved
    author TEXT NOT NULL,                      -- the teacher's login
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'returned')),
    reviewed_by TEXT,
    reviewed_at TEXT,
    reason TEXT,                               -- why it was returned ("Trả lại")
    send_id INTEGER REFERENCES announcement_sends(id)
);
CREATE INDEX notice_requests_queue ON notice_requests (school_id, status);

-- Hardening (issue 11): the import's undo log, so a file stays all-or-nothing while it is written in
-- bounded transactions that leave MO replies and the web their turn at the write lock (store.imports.undo).
CREATE TABLE IF NOT EXISTS import_runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'done', 'undone')),
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS import_undo (
    seq INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES import_runs(id),
    tbl TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('I', 'U', 'D')),
    rid INTEGER NOT NULL,
    old TEXT
);
CREATE INDEX IF NOT EXISTS import_undo_run ON import_undo (run_id, seq);

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
