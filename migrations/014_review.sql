-- Version 14: approvals keep old values and sent-back groups (issue 13).
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
    sent_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS announcement_sends_school ON announcement_sends (school_id, sent_at);
