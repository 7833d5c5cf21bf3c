-- Version 2: API bearer tokens and the import log.

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
