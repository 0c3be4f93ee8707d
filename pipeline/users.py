"""The people who may use the counter's page: accounts with a role, passwords hashed with Argon2.

A role says which use modes of Circular 05/2025 a person may read: a counter clerk the public documents (01), an
archivist also those of conditional use (02), the head of the archive every one (03, secret, too). Accounts live in
`users.sqlite3` in the archive home, with the sessions of those logged in (so that a restart of the page logs
no one out). After LOCK_AFTER failed logins in a row an account is locked for LOCK_MINUTES; a disabled account
cannot log in at all, and its sessions end.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from luutru.errors import NotFound, UsageError
from luutru.i18n import N_
from luutru.pipeline.catalog import now

USERS_FILE = "users.sqlite3"
ROLES = {"clerk": ("01",), "archivist": ("01", "02"), "head": ("01", "02", "03")}
LOCK_AFTER = 10  # failed logins in a row
LOCK_MINUTES = 15
MIN_PASSWORD = 8
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password TEXT NOT NULL,         -- Argon2id hash
    disabled INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,   -- failed logins in a row
    locked_until TEXT,              -- ISO 8601, UTC
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    key TEXT PRIMARY KEY,           -- sha256 of the browser's token: a copy of this file opens no session
    name TEXT NOT NULL REFERENCES users(name),
    csrf TEXT NOT NULL,             -- the token every form that changes something must carry
    expires TEXT NOT NULL           -- ISO 8601, UTC
);
"""
HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool = False
    locked_until: str | None = None

    @property
    def modes(self) -> tuple[str, ...]:
        """The use modes (Chế độ sử dụng) of the documents this person may read."""
        return ROLES[self.role]


def _open(home_root: Path) -> sqlite3.Connection:
    db = sqlite3.connect(home_root / USERS_FILE, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.executescript(SCHEMA)
    return db


def _checked(name: str, role: str | None = None, password: str | None = None) -> None:
    if not name or not name.isprintable() or len(name) > 64 or " " in name:
        raise UsageError(f"{name!r}: a user name is one word of up to 64 characters")
    if role is not None and role not in ROLES:
        raise UsageError(f"{role!r} is no role: {', '.join(ROLES)}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise UsageError(f"a password has at least {MIN_PASSWORD} characters")


def add_user(home_root: Path, name: str, role: str, password: str) -> User:
    _checked(name, role, password)
    with closing(_open(home_root)) as db:
        try:
            db.execute("INSERT INTO users (name, role, password, created_at) VALUES (?, ?, ?, ?)",
                       (name, role, HASHER.hash(password), now()))
        except sqlite3.IntegrityError:
            raise UsageError(f"{name}: there is such a user already (luutru users passwd)") from None
    return User(name, role)


def _change(home_root: Path, name: str, sql: str, *values) -> None:
    with closing(_open(home_root)) as db:
        if not db.execute(f"UPDATE users SET {sql} WHERE name = ?", (*values, name)).rowcount:
            raise NotFound(N_("{name}: no such user"), name=name)


def set_password(home_root: Path, name: str, password: str) -> None:
    """A new password; the account is unlocked, its failed logins forgotten and its sessions ended."""
    _checked(name, password=password)
    _change(home_root, name, "password = ?, failed = 0, locked_until = NULL", HASHER.hash(password))
    end_sessions(home_root, name)


def set_disabled(home_root: Path, name: str, disabled: bool = True) -> None:
    _change(home_root, name, "disabled = ?", int(disabled))
    end_sessions(home_root, name)


def end_sessions(home_root: Path, name: str | None = None) -> None:
    """Log this person out everywhere; everyone, when no name is given (a backup's copy of the accounts)."""
    with closing(_open(home_root)) as db:
        db.execute("DELETE FROM sessions WHERE ? IS NULL OR name = ?", (name, name))


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(home_root: Path, user: User, hours: float) -> tuple[str, str]:
    """A new session for `user`, lasting `hours`: the browser's token and the forms' token."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = (datetime.now(timezone.utc) + timedelta(hours=hours)).isoformat(timespec="seconds")
    with closing(_open(home_root)) as db:
        db.execute("DELETE FROM sessions WHERE expires <= ?", (now(),))
        db.execute("INSERT INTO sessions (key, name, csrf, expires) VALUES (?, ?, ?, ?)",
                   (_key(token), user.name, csrf, expires))
    return token, csrf


def access_of(home_root: Path, token: str) -> tuple[bool, tuple[User, str] | None]:
    """Whether the archive has accounts, and the user a browser's token is a live session of (as the account is
    now: role, disabled) with the forms' token; one read of the accounts, as the page asks on every request."""
    path = home_root / USERS_FILE
    if not path.exists():
        return False, None
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
        if db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is None:
            return False, None
        row = token and db.execute(
            "SELECT u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.name = s.name "
            "WHERE s.key = ? AND s.expires > ? AND NOT u.disabled", (_key(token), now())).fetchone()
    return True, ((User(row[0], row[1]), row[2]) if row else None)


def close_session(home_root: Path, token: str) -> None:
    with closing(_open(home_root)) as db:
        db.execute("DELETE FROM sessions WHERE key = ?", (_key(token),))


def upgrade(home_root: Path) -> None:
    """Bring accounts an older luutru wrote up to this one's tables (sessions), which the page reads read-only."""
    if (home_root / USERS_FILE).exists():
        _open(home_root).close()


def users(home_root: Path) -> list[User]:
    if not (home_root / USERS_FILE).exists():
        return []
    with closing(_open(home_root)) as db:
        return [User(name, role, bool(disabled), locked) for name, role, disabled, locked in
                db.execute("SELECT name, role, disabled, locked_until FROM users ORDER BY name")]


def authenticate(home_root: Path, name: str, password: str) -> User | None:
    """The user, if the password is theirs and the account is neither disabled nor locked; a failure counts
    towards the lock."""
    with closing(_open(home_root)) as db:
        row = db.execute("SELECT role, password, disabled, failed, locked_until FROM users WHERE name = ?",
                         (name,)).fetchone()
        if row is None:
            HASHER.hash(password)  # as long as for a real account: no telling which names exist
            return None
        role, stored, disabled, failed, locked_until = row
        if disabled or (locked_until and locked_until > now()):
            return None
        try:
            HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            locked = failed + 1 >= LOCK_AFTER
            until = (datetime.now(timezone.utc) + timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds")
            db.execute("UPDATE users SET failed = ?, locked_until = ? WHERE name = ?",
                       (0 if locked else failed + 1, until if locked else None, name))
            return None
        db.execute("UPDATE users SET failed = 0, locked_until = NULL WHERE name = ?", (name,))
        return User(name, role)


def to_json(user: User) -> dict:
    return {**asdict(user), "modes": list(user.modes)}
