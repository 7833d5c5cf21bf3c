"""What staff release to parents: the approval queue, answers to GV / NGHI texts, announcements (one
blueprint, ``review``, whose pages are one module each; pages.py loads them), and teachers' announcements
waiting for approval (notice_review)."""
