-- Version 7: MK replies whose code is still in their text, so the scheduler blanks them once the code
-- expires without scanning the outbox (a partial index: only those few rows are in it).
CREATE INDEX messages_otp_unpurged ON messages (created_at) WHERE kind = 'otp' AND body IS NOT NULL;
