-- Version 18: the evening digest counts every approved score of a page of children per subject and term
-- (outbox/digest_sources.py Grades.COUNTS); with every column it reads in one index, that walk never
-- visits the table (the heavy first evening after a term's import: 6.8M cells for 100k guardians).
CREATE INDEX grades_student_counts ON grades (student_id, subject_code, school_year, term, kind, status, approved_at);
