-- Version 9: the question bank and self-tests (SPEC §15): questions per school, subject, grade and
-- topic; tests (`ma de`) with their questions copied at creation (later bank edits never change a
-- test already given), the classes they are for, one variant per pupil (shuffled choices, own code),
-- attempts by SMS or web, and the one refusal a closed or used-up test gets.
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
