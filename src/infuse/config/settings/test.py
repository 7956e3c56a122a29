"""Settings for the test run: fast hashing, in-memory email, immediate tasks by default."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

# Each test run gets its own data directory, so tests never touch a developer's var/.
DATA_DIR = Path(os.environ.get("INFUSE_TEST_DATA_DIR") or tempfile.mkdtemp(prefix="infuse-test-"))
WAREHOUSE_DIR = DATA_DIR / "warehouse"
MEDIA_ROOT = DATA_DIR / "uploads"
STATIC_ROOT = DATA_DIR / "static"

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
if os.environ.get("INFUSE_TEST_TASKS") != "database":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# A table owned by the tests alone, to check the permission policy against real queries.
# Only under pytest, so type checkers and other tools never import the test package.
if "pytest" in sys.modules:
    INSTALLED_APPS = [*INSTALLED_APPS, "tests.policy_app"]  # noqa: F405
AUDIT_ENFORCE = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
