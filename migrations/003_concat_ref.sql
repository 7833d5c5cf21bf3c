-- Version 3: a long message keeps its concatenation reference, so parts resent
-- after a throttle or a crash join the parts already delivered on the handset.

ALTER TABLE messages ADD COLUMN concat_ref INTEGER;
