-- Staff (SPEC §12): departments (tổ chuyên môn), the staff roster from the `teachers` import, each
-- teacher's classes and subjects per term from `assignments`, and the one-time codes of first login.
-- Additive and idempotent; the same DDL is at the end of schema.sql.
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
