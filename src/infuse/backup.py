"""Backing up and restoring the whole data directory, consistently, while Infuse runs.

A backup is a folder::

    manifest.json        what was copied, when, from which database engine, with checksums
    database.sqlite3     SQLite: a copy made with SQLite's online backup API (consistent even
                         while the web server and worker write), or
    database.pgdump      PostgreSQL: ``pg_dump --format=custom``
    warehouse/           the analytical store (Parquet files)
    uploads/             files users uploaded
    reference/           postcode districts tables loaded from the ONS postcode lookup

The database is copied first, then the files. The analytical store only ever gains whole files
(each written under a temporary name and renamed into place), so a file that appears after the
database snapshot is simply not referenced by it; nothing referenced can be missing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from infuse import __version__
from infuse.errors import UserFacingError

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
FILE_TREES = ("warehouse", "uploads", "reference")


class BackupError(UserFacingError):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass
class BackupManifest:
    created_at: str
    infuse_version: str
    engine: str
    database_file: str
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine() -> str:
    engine = str(settings.DATABASES["default"]["ENGINE"])
    if "sqlite" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(_("Backups support SQLite and PostgreSQL only."))


def _pg_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise BackupError(_("DATABASE_URL must be set to back up or restore PostgreSQL."))
    return url


def _pg_tool(name: str) -> str:
    """The newest installed PostgreSQL client program ``name`` (it must not be older than the
    server it talks to)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    found = str(candidates[-1]) if candidates else shutil.which(name)
    if not found:
        raise BackupError(_("The PostgreSQL program %(name)s is not installed.") % {"name": name})
    return found


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)


def backup_create(destination: Path) -> BackupManifest:
    """Write a consistent backup of the data directory into ``destination`` (new or empty)."""
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(_("The backup folder %(path)s is not empty.") % {"path": destination})
    destination.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    if engine == "sqlite":
        database_file = SQLITE_FILE
        source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
        target = sqlite3.connect(str(destination / SQLITE_FILE))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        database_file = PG_FILE
        subprocess.run(  # noqa: S603
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(destination / PG_FILE),
                _pg_url(),
            ],
            check=True,
            capture_output=True,
        )
    data_dir = Path(settings.DATA_DIR)
    for tree in FILE_TREES:
        _copy_tree(data_dir / tree, destination / tree)
    manifest = BackupManifest(
        created_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        infuse_version=__version__,
        engine=engine,
        database_file=database_file,
    )
    for path in sorted(destination.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            manifest.files[str(path.relative_to(destination))] = _sha256(path)
    (destination / MANIFEST).write_text(json.dumps(manifest.as_dict(), indent=2))
    return manifest


def _read_manifest(source: Path) -> BackupManifest:
    try:
        raw = json.loads((source / MANIFEST).read_text())
        manifest = BackupManifest(**raw)
    except (OSError, ValueError, TypeError) as error:
        raise BackupError(
            _("%(path)s is not an Infuse backup (no readable manifest).") % {"path": source}
        ) from error
    for relative, expected in manifest.files.items():
        path = source / relative
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(
                _("The backup is damaged: %(file)s is missing or changed.") % {"file": relative}
            )
    return manifest


def backup_restore(source: Path, *, force: bool = False) -> BackupManifest:
    """Restore a backup into the configured data directory (and database).

    The data directory must be empty (or hold only what ``infuse init`` makes before any data),
    unless ``force`` is given. The backup is verified against its checksums before anything is
    touched.
    """
    source = Path(source)
    manifest = _read_manifest(source)
    engine = _engine()
    if manifest.engine != engine:
        raise BackupError(
            _("This backup is of a %(backup)s database, but Infuse is configured for %(current)s.")
            % {"backup": manifest.engine, "current": engine}
        )
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    occupied = [p.name for p in data_dir.iterdir() if p.name not in {"secret_key", "static"}]
    if occupied and not force:
        raise BackupError(
            _("The data directory %(path)s is not empty; restore only onto an empty one.")
            % {"path": data_dir}
        )
    connections.close_all()
    if engine == "sqlite":
        database = Path(str(settings.DATABASES["default"]["NAME"]))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        source_db = sqlite3.connect(str(source / SQLITE_FILE))
        target_db = sqlite3.connect(str(database))
        try:
            with target_db:
                source_db.backup(target_db)
        finally:
            target_db.close()
            source_db.close()
    else:
        subprocess.run(  # noqa: S603
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--dbname",
                _pg_url(),
                str(source / PG_FILE),
            ],
            check=True,
            capture_output=True,
        )
    for tree in FILE_TREES:
        target = data_dir / tree
        if target.exists():
            shutil.rmtree(target)
        _copy_tree(source / tree, target)
        target.mkdir(parents=True, exist_ok=True)
    return manifest
