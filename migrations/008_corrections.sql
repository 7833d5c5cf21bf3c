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
    kind TEXT NOT NULL,                        -- store.approvals.Kind
    subject TEXT NOT NULL DEFAULT '',
    entered_by TEXT,                           -- the teacher's login, or import:<file>
    entered_day TEXT NOT NULL,                 -- local date the rows were entered
    rows INTEGER NOT NULL,
    reason TEXT NOT NULL,
    returned_by TEXT NOT NULL,
    returned_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approval_returns_school ON approval_returns (school_id, returned_at);
