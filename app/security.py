"""Secrets: password hashing with argon2, random tokens stored only as their SHA-256."""

import functools
import hashlib
import os
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Hashes worked out at once in this process: one a core. Each takes 64 MiB and all of a core
# for its time, so a room signing in together is served one after another at full speed,
# rather than all at once slowly, thrashing the caches and holding a gigabyte or more.
HASHES_AT_ONCE = os.cpu_count() or 1
_hashing = threading.BoundedSemaphore(HASHES_AT_ONCE)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both failures take the same time."""
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, spend the same effort and fail."""
    against = password_hash or _dummy_hash()
    try:
        with _hashing:
            return _hasher.verify(against, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token(prefix: str) -> str:
    """A random secret of 256 bits, prefixed so a leaked one is recognisable."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
