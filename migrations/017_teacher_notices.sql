-- Version 17: teachers announce to their own classes (issue 13 item 9; store/review/teacher_notices.py).
-- A school decides: 'direct' (sent without approval), 'approval' (a reviewer or admin approves
-- first; the default: nothing reaches a parent before approval, SPEC §1) or 'off'.
ALTER TABLE schools ADD COLUMN teacher_notices TEXT NOT NULL DEFAULT 'approval'
    CHECK (teacher_notices IN ('direct', 'approval', 'off'));

-- Who approved a send that a teacher wrote (NULL: the author sent it, or no approval was needed).
ALTER TABLE announcement_sends ADD COLUMN approved_by TEXT;

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
