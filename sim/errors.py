"""Named errors of the SMSC simulator and its control client."""
from __future__ import annotations


class SimError(Exception):
    """Base of every simulator error."""


class SimConfigError(SimError, ValueError):
    """A behaviour setting is unknown or has a bad value; ``key`` names it."""

    def __init__(self, key: str, reason: str):
        self.key = key
        self.reason = reason
        super().__init__(f"{key}: {reason}")


class NoReceiverError(SimError):
    """No receiver or transceiver bind (of ``system_id``, when given) to deliver an MO to."""

    def __init__(self, system_id: str | None):
        self.system_id = system_id
        who = f" of {system_id!r}" if system_id else ""
        super().__init__(f"no receiver or transceiver bind{who} is connected")


class SimNotRunningError(SimError):
    """Nothing answers at the control ``url``."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(f"no simulator answers at {url} ({reason})")


class SimTimeoutError(SimError):
    """What was waited for did not happen within ``timeout`` seconds."""

    def __init__(self, what: str, timeout: float):
        self.what = what
        self.timeout = timeout
        super().__init__(f"{what} within {timeout:g} s")
