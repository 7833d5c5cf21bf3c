"""The question bank's keyword: BL (a self-test answered by SMS)."""
