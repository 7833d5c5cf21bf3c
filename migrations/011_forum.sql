-- Version 11: the forum and góp ý (SPEC §14).
-- teacher_messages takes two more kinds: GY (an opinion to the principal's
-- queue) and DAN (kindergarten's morning note, SPEC §11), so its CHECK is
-- widened by rebuilding the table (nothing references it).
CREATE TABLE teacher_messages_new (
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
INSERT INTO teacher_messages_new SELECT id, kind, school_id, class_id, student_id, guardian_id, inbox_id, body,
    created_at, answer, answered_by, answered_at, answer_message_id FROM teacher_messages;
DROP TABLE teacher_messages;
ALTER TABLE teacher_messages_new RENAME TO teacher_messages;
CREATE INDEX teacher_messages_class ON teacher_messages (class_id, created_at);
CREATE INDEX teacher_messages_school ON teacher_messages (school_id, kind, created_at);

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
