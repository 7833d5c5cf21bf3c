"""Approval before anything reaches a parent: the review status machine, the approval queue and its specs,
corrections and send-backs, and teachers' announcements waiting for approval."""
