-- Version 19: an anonymous poll leaves nothing derived from an answer (store/community/poll_privacy.py), and a
-- year-end result computed for a commendation round stays tạm tính (store/community/round_commendation.py).
-- polls.forgotten_at: when the scheduler found nothing left to blank (no reply in flight, the dedup window over),
-- after which the poll is never scanned again.
ALTER TABLE polls ADD COLUMN forgotten_at TEXT;

-- Polls closed before this version: their answers lose the channel (sms/web) too, every re-delivered copy of a
-- recipient's text in the poll's time loses its text, and the texts already blanked lose their dedup key (a hash of
-- the text, which `BC <so> 0`..`9` would give back). A re-delivered copy is only a copy: the first one keeps its text
-- unless it was an anonymous answer.
UPDATE poll_answers SET source = 'sms'
WHERE poll_id IN (SELECT id FROM polls WHERE anonymous = 1 AND status = 'closed');

UPDATE inbox SET text = NULL, dedup_key = 'forgotten:' || id
WHERE (state = 'duplicate' OR (command = 'BC' AND text IS NULL)) AND EXISTS (
    SELECT 1 FROM polls p JOIN poll_recipients r ON r.poll_id = p.id JOIN guardians g ON g.id = r.guardian_id
    WHERE p.anonymous = 1 AND p.status = 'closed' AND g.phone = inbox.phone
      AND inbox.received_at >= p.opened_at AND inbox.received_at <= p.closed_at);

UPDATE polls SET forgotten_at = closed_at
WHERE anonymous = 1 AND status = 'closed' AND closed_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day');

-- primary_results.computed: a commendation round's award on a pupil without an entered result writes the result
-- computed from the CN levels with computed = 1 (store/community/round_commendation.py); every reader shows such a
-- row as tạm tính and computes the result again, so a later correction of a CN level changes it (SPEC §10), and
-- the award holds only while that result is Hoàn thành tốt. An imported result sets it back to 0.
ALTER TABLE primary_results ADD COLUMN computed INTEGER NOT NULL DEFAULT 0;
