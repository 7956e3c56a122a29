"""The background worker killed in the middle of an import, as a power cut or an OOM kill would.

Everything runs as an operator runs it: separate processes on an embedded SQLite data directory.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from benchmarks.spend_import import generate_ledger

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="this test drives the embedded SQLite set-up"
)

QUEUE = """
import sys, django
django.setup()
from infuse.accounts.models import User
from infuse.jobs.services import job_start
from infuse.procurement.services import spend_upload
from infuse.procurement.tasks import spend_import
from infuse.procurement.models import SpendBatch
analyst = User.objects.get(username="dafydd")
path = sys.argv[1]
batch = spend_upload(actor=analyst, body=analyst.body, file_name=path.rsplit("/", 1)[-1],
                     content=open(path, "rb").read())
job = job_start(actor=analyst, kind="procurement.spend_import", label=batch.file_name,
                task=spend_import, body=analyst.body, batch_id=batch.pk)
SpendBatch.objects.filter(pk=batch.pk).update(job=job)
print(job.pk)
"""


def environment(data_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(INFUSE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="infuse.config.settings.local")
    return env


def run(data_dir: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        env=environment(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def job_status(data_dir: Path, job_id: str) -> str:
    with sqlite3.connect(data_dir / "infuse.sqlite3") as connection:
        row = connection.execute(
            "select status from jobs_job where id = ?", (job_id.replace("-", ""),)
        ).fetchone()
    return row[0] if row else "missing"


def batches(data_dir: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(data_dir / "infuse.sqlite3") as connection:
        return connection.execute(
            "select file_name, status, error from procurement_spendbatch order by id"
        ).fetchall()


def store_files(data_dir: Path) -> list[str]:
    root = data_dir / "warehouse"
    return (
        sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet")) if root.exists() else []
    )


def test_a_killed_worker_leaves_nothing_half_done_and_the_next_import_works(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run(data, "-m", "infuse.cli", "init")
    run(data, "-m", "infuse.cli", "demo", "--months", "0")
    big = tmp_path / "big-ledger.csv"
    generate_ledger(big, 1_500_000)
    job_id = run(data, "-c", QUEUE, str(big))

    worker = subprocess.Popen(
        [sys.executable, "-m", "infuse.cli", "worker"],
        env=environment(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 120
        while job_status(data, job_id) != "running" and time.time() < deadline:
            time.sleep(0.2)
        assert job_status(data, job_id) == "running"
        time.sleep(1.0)  # well into reading the 1.5M-line file
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert job_status(data, job_id) == "running"  # nobody was left to say otherwise
    assert batches(data)[0][1] == "waiting"

    ledger = tmp_path / "april.csv"
    ledger.write_text(
        "Date,Supplier,Amount\n01/04/2025,Acme Ltd,1200.00\n02/04/2025,Cwmni Cyf,560.50\n"
    )
    next_job = run(data, "-c", QUEUE, str(ledger))
    run(data, "-m", "infuse.cli", "worker", "--batch", "--tidy-after", "0")

    assert job_status(data, job_id) == "failed"
    (_big, big_status, reason), (_small, small_status, _) = batches(data)
    assert big_status == "failed" and "stopped" in reason
    assert job_status(data, next_job) == "succeeded" and small_status == "live"
    files = store_files(data)
    # One ledger file (the small one's) and at most the categories its import wrote after it
    # went live: nothing from the killed import.
    ledgers = [name for name in files if name.startswith("spend_lines/")]
    assert len(ledgers) == 1 and ledgers[0].startswith("spend_lines/W06000018/")
    assert all(name.startswith(("spend_lines/", "spend_categories/")) for name in files)
    assert len(files) <= 2
