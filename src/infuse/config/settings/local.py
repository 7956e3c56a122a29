"""Settings for running Infuse on one machine (``make run``, ``infuse run``)."""

from __future__ import annotations

import os

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = os.environ.get("INFUSE_DEBUG", "") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


def _local_secret_key() -> str:
    """A key made once per data directory, so local sessions survive restarts.

    Production never uses this: it refuses to start without ``INFUSE_SECRET_KEY``.
    """
    from django.core.management.utils import get_random_secret_key

    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("INFUSE_SECRET_KEY") or _local_secret_key()
