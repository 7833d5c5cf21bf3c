-- Version 21: every CHECK (x IN ('a', 'b', ...)) list of the database is kept as the equivalent OR chain
-- (x = 'a' OR x = 'b' ...), since SQLite builds an IN list afresh as an ephemeral b-tree for every row it
-- checks (~6 us a list and a row against ~0.1 us). The rewrite is not SQL of this file: store/core/migrate.py
-- runs store/core/check_lists.fold_tables after every step, this one included, so a database at version 20
-- is folded when it reaches 21 and any later migration's new lists are folded as they are created. The
-- migrations and schema.sql keep the readable lists.
SELECT 1;
