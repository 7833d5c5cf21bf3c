"""The store's ground floor: the SQLite connection and its write lock, time, migrations, backups, the audit
log, disk trouble, text folding, password hashing, and the store's named errors. Imports nothing else of store/."""
