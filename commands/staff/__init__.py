"""The staff-only keywords: PC (one's teaching assignment), PB (a subject teacher's round answer)."""
