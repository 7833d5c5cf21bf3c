-- Version 10: the document library for staff (SPEC §16): items, their versions, files stored once by content hash,
-- the review history, and the FTS5 index of titles and extracted text (folded: no diacritics, đ -> d).
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
