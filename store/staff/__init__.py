"""School staff (SPEC §12): the roster and departments, teaching assignments per term, accounts and codes.

    roster.by_phone(db, "+84912000111")          # the active staff members texting from this number
    assignments.scope(db, user_id, today)        # class id -> subject codes a teacher may open today
    accounts.create_for(db, staff_id)            # an account for an imported teacher (no password yet)
    codes.issue(db, user_id, ...)                # a one-time code to set the password

The imports that fill these tables are store.imports.staff (`teachers`, `assignments`).
"""
