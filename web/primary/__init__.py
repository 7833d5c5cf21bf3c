"""Primary school (TT27) pages: the teachers' entry and overview (entry), the parents' view (parents)."""
