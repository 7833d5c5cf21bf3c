-- Version 6: an operator's delivery report of one day across every school (web, API, `report delivery`
-- without --school) reads this range instead of the whole outbox.
CREATE INDEX messages_created ON messages (created_at);
