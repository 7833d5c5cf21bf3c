"""Texts in and out as stored: parents' MO and its parts, the message state table, delivery reports and
trends, announcements and their audiences, GV/NGHI threads, failure reasons and number fixes, retention."""
