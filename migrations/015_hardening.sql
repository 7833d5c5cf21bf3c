-- Version 15: the import undo log (issue 11).
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
