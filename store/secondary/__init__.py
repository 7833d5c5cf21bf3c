"""THCS and THPT (TT22/2021): grades and their averages, the teacher's grade book, results and conduct,
the parents' view of dated scores, the principal's overview, and the day's news for the digest."""
