"""The school itself: its levels and subjects, terms, events, families and guardians, phone numbers, staff
accounts and the staff roster with its teaching assignments, tokens and codes."""
