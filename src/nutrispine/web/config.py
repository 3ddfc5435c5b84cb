"""The web server's settings, decided once at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (where a login-free mode is safe)."""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def load_secret(home: Path) -> bytes:
    """The key that signs CSRF tokens: ``NUTRISPINE_SECRET_KEY`` or a private file in the home."""
    env = os.environ.get("NUTRISPINE_SECRET_KEY")
    if env:
        return env.encode()
    path = home / "web-secret.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


@dataclass
class WebConfig:
    """How the app runs: accounts or not, where data lives, and its safety limits."""

    multi_user: bool = False
    database_url: str | None = None
    secure_cookies: bool = False  # set when served over HTTPS (a TLS proxy in front)
    max_body_bytes: int = 1_000_000
    session_days: int = 14
    login_attempts: int = 5  # failures allowed per window, per address and per username
    login_window_seconds: float = 300.0
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    @classmethod
    def from_env(cls) -> WebConfig:
        """Settings from the environment (how ``nutrispine serve`` hands them to workers)."""
        from nutrispine.settings import home

        return cls(
            multi_user=os.environ.get("NUTRISPINE_MULTI_USER", "") == "1",
            database_url=os.environ.get("NUTRISPINE_DATABASE_URL") or None,
            secure_cookies=os.environ.get("NUTRISPINE_SECURE_COOKIES", "") == "1",
            secret=load_secret(home()),
        )
