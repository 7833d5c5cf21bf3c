-- Version 13: polls and sign-ups (SPEC §13).
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
