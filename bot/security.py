"""The server secret and keyed hashes of verification data (phones, ID numbers are never stored in clear)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import re
import secrets
import threading
from pathlib import Path

from bot.config import ENV_SECRET_KEY, PROJECT_ROOT, Settings, secret

log = logging.getLogger(__name__)

KEY_FILE = "var/secret.key"
_NON_DIGIT = re.compile(r"\D+")
_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_lock = threading.Lock()
_file_keys: dict[Path, bytes] = {}


def _key_path(settings: Settings | None) -> Path:
    return settings.resolve(KEY_FILE) if settings is not None else PROJECT_ROOT / KEY_FILE


def _load_or_create(path: Path) -> bytes:
    """Read the generated key file, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text(encoding="ascii").strip().encode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    log.warning(
        "%s is not set: generated a secret key in %s. Production must set %s (32+ random characters) "
        "and keep it stable, or stored verification digests stop matching.",
        ENV_SECRET_KEY,
        path,
        ENV_SECRET_KEY,
    )
    return value.encode("ascii")


def secret_key(settings: Settings | None = None) -> bytes:
    """The server secret: ``$ASSISTANT_SECRET_KEY``, else a key generated once into ``var/secret.key``."""
    env = secret(ENV_SECRET_KEY)
    if env:
        return env.encode("utf-8")
    path = _key_path(settings)
    with _lock:
        if path not in _file_keys:
            _file_keys[path] = _load_or_create(path)
        return _file_keys[path]


@functools.lru_cache(maxsize=32)
def _keyed(key: bytes, purpose: str) -> hmac.HMAC:
    """The HMAC state after the key and the purpose (copied per value: an import digests millions)."""
    return hmac.new(key, purpose.encode("utf-8") + b"\x00", hashlib.sha256)


def digest(value: str, purpose: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 (hex) of ``value``; ``purpose`` separates uses so one digest cannot stand in for another."""
    mac = _keyed(key if key is not None else secret_key(), purpose).copy()
    mac.update(value.encode("utf-8"))
    return mac.hexdigest()


def matches(stored: str, candidate_digest: str) -> bool:
    """Constant-time comparison of two digests; an empty stored digest never matches."""
    if not stored or not candidate_digest:
        return False
    return hmac.compare_digest(stored.encode("ascii", "replace"), candidate_digest.encode("ascii", "replace"))


def normalise_phone(s: str) -> str:
    """Digits only, with the +84 / 84 country prefix turned into the domestic leading 0."""
    digits = _NON_DIGIT.sub("", s or "")
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def normalise_id(s: str) -> str:
    """An ID-card / passport number: upper case, letters and digits only."""
    return _NON_ALNUM.sub("", (s or "").upper())
