"""Named errors of the library; ``message`` is the Vietnamese text staff see."""
from __future__ import annotations

from store.core.errors import StoreError


class LibraryError(StoreError):
    """Base: something asked of the library cannot be done; ``message`` says why, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class FileRefused(LibraryError):
    """An uploaded file is refused (type, size, damage, encryption, name); nothing was stored."""


class QuotaExceeded(FileRefused):
    """The school's library quota (library.quota_mb) would be exceeded; nothing was stored."""


class NotAllowed(LibraryError):
    """The account may not do this to this item (not its owner, not its reviewer, wrong state)."""


class BadInput(LibraryError):
    """A form field is missing or wrong (title, section, grade, reason...)."""
