-- Version 4: concatenated MO parts are stored before their deliver_sm_resp.

-- Parts of concatenated parent texts, stored before each part's deliver_sm_resp and
-- joined from here (any bind, any process). inbox_id is set once the text is assembled;
-- done parts stay a while so a re-sent part of a finished text is recognised.
CREATE TABLE inbox_parts (
    id INTEGER PRIMARY KEY,
    connection TEXT NOT NULL,
    source_addr TEXT NOT NULL,
    source_ton INTEGER NOT NULL DEFAULT 0,
    ref INTEGER NOT NULL,
    total INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data_coding INTEGER NOT NULL,
    codec TEXT,                                -- gsm / ascii / latin-1 / utf-16-be; NULL = binary
    payload BLOB NOT NULL,
    received_at TEXT NOT NULL,
    inbox_id INTEGER REFERENCES inbox(id)
);
CREATE INDEX inbox_parts_group ON inbox_parts (connection, source_addr, ref, total, inbox_id);
CREATE INDEX inbox_parts_open ON inbox_parts (received_at) WHERE inbox_id IS NULL;
