"""Named exceptions of the store layer."""


class StoreError(Exception):
    """Base of every error the store raises on purpose."""


class SchemaError(StoreError):
    """The database file is not one this version can open or upgrade."""


class UserError(StoreError):
    """A staff or parent account cannot be created or changed as asked."""


class BackupError(StoreError):
    """A backup cannot be taken, or a file cannot be restored (damaged, newer schema, service running)."""
