-- Version 20: the evening digest counts a page's approved scores per subject and term from grade_tallies, kept up
-- to date by triggers on grades (outbox/digest_sources.py Grades.COUNTS): one row per student, subject, school
-- year, term and approval time (an approval is one transaction with one approved_at, so a class's import or a
-- reviewer's click is one row a subject), holding how many approved cells and how many of them GK/CK exams. The
-- heavy first evening after a term's import then reads 1.3M tallies instead of 6.8M cells for 100k guardians; a
-- light evening reads the same tallies, never the cells. Every change of a grade row goes through the triggers
-- (insert, delete, any update of a counted column), so no writer has to remember them.
-- The covering index of version 18 served only that count: dropped (one index less to write on every import).
DROP INDEX grades_student_counts;

CREATE TABLE grade_tallies (
    student_id INTEGER NOT NULL,
    subject_code TEXT NOT NULL,
    school_year TEXT NOT NULL,
    term INTEGER NOT NULL,
    approved_at TEXT NOT NULL,
    cells INTEGER NOT NULL,      -- approved grade rows of this key approved at approved_at
    exams INTEGER NOT NULL,      -- of them GK or CK
    PRIMARY KEY (student_id, subject_code, school_year, term, approved_at)
) WITHOUT ROWID;

INSERT INTO grade_tallies (student_id, subject_code, school_year, term, approved_at, cells, exams)
SELECT student_id, subject_code, school_year, term, approved_at, count(*), sum(kind != 'TX')
FROM grades WHERE status = 'approved' AND approved_at IS NOT NULL
GROUP BY student_id, subject_code, school_year, term, approved_at;

CREATE TRIGGER grade_tallies_insert AFTER INSERT ON grades
WHEN new.status = 'approved' AND new.approved_at IS NOT NULL
BEGIN
    INSERT INTO grade_tallies (student_id, subject_code, school_year, term, approved_at, cells, exams)
    VALUES (new.student_id, new.subject_code, new.school_year, new.term, new.approved_at, 1, new.kind != 'TX')
    ON CONFLICT DO UPDATE SET cells = cells + 1, exams = exams + excluded.exams;
END;

CREATE TRIGGER grade_tallies_delete AFTER DELETE ON grades
WHEN old.status = 'approved' AND old.approved_at IS NOT NULL
BEGIN
    UPDATE grade_tallies SET cells = cells - 1, exams = exams - (old.kind != 'TX')
    WHERE student_id = old.student_id AND subject_code = old.subject_code AND school_year = old.school_year
      AND term = old.term AND approved_at = old.approved_at;
    DELETE FROM grade_tallies
    WHERE student_id = old.student_id AND subject_code = old.subject_code AND school_year = old.school_year
      AND term = old.term AND approved_at = old.approved_at AND cells <= 0;
END;

CREATE TRIGGER grade_tallies_update AFTER UPDATE OF student_id, subject_code, school_year, term, kind, status,
    approved_at ON grades
WHEN (old.status = 'approved' AND old.approved_at IS NOT NULL) OR (new.status = 'approved' AND new.approved_at IS NOT NULL)
BEGIN
    UPDATE grade_tallies SET cells = cells - 1, exams = exams - (old.kind != 'TX')
    WHERE old.status = 'approved' AND student_id = old.student_id AND subject_code = old.subject_code
      AND school_year = old.school_year AND term = old.term AND approved_at = old.approved_at;
    DELETE FROM grade_tallies
    WHERE old.status = 'approved' AND student_id = old.student_id AND subject_code = old.subject_code
      AND school_year = old.school_year AND term = old.term AND approved_at = old.approved_at AND cells <= 0;
    INSERT INTO grade_tallies (student_id, subject_code, school_year, term, approved_at, cells, exams)
    SELECT new.student_id, new.subject_code, new.school_year, new.term, new.approved_at, 1, new.kind != 'TX'
    WHERE new.status = 'approved' AND new.approved_at IS NOT NULL
    ON CONFLICT DO UPDATE SET cells = cells + 1, exams = exams + excluded.exams;
END;
