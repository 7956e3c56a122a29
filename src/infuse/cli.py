"""The ``infuse`` command line, for analysts and for running the service.

Every command that computes something accepts ``--json`` and then prints one JSON document on
standard output and nothing else there.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

app = typer.Typer(
    help="Infuse: tools and methods for public-service innovation.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infuse.config.settings.local")
    import django

    django.setup()


def _emit(as_json: bool, payload: Any, human: str = "") -> None:
    if as_json:
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    elif human:
        console.print(human)


def _fail(message: str, as_json: bool, code: int = 1) -> None:
    if as_json:
        typer.echo(json.dumps({"error": message}, ensure_ascii=False))
    else:
        console.print(f"[red]Error:[/red] {message}")
    raise typer.Exit(code)


@app.command()
def init(as_json: JsonOption = False) -> None:
    """Prepare the data directory: database tables, reference data and static files.

    Safe to run again: it only applies what is missing.
    """
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    from infuse.reference.services import reference_load

    data_dir = Path(settings.DATA_DIR)
    for sub in (data_dir, settings.WAREHOUSE_DIR, settings.MEDIA_ROOT):
        Path(sub).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    reference = reference_load(actor=None)
    call_command("collectstatic", interactive=False, verbosity=0)
    _emit(
        as_json,
        {
            "data_dir": str(data_dir),
            "database": settings.DATABASES["default"]["ENGINE"],
            "reference": reference,
        },
        f"Data directory ready at [bold]{data_dir}[/bold].",
    )


@app.command("load-reference")
def load_reference(
    bodies: Annotated[
        Path | None,
        typer.Option(help="A CSV of further public bodies (code, name_en, and optional columns)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load the reference data (idempotent), and optionally more public bodies from a CSV."""
    _setup()
    from infuse.reference.loading import ReferenceFileError, read_bodies_csv
    from infuse.reference.services import bodies_load, reference_load

    result: dict[str, Any] = {}
    with Progress(console=console, transient=True, disable=as_json) as progress:
        bar = progress.add_task("Loading reference data", total=6)

        def report(done: int, total: int, stage: str) -> None:
            progress.update(bar, completed=done, total=total, description=f"Loading {stage}")

        result["reference"] = reference_load(actor=None, progress=report)
    if bodies is not None:
        try:
            result["bodies_file"] = bodies_load(
                actor=None, bodies=read_bodies_csv(bodies.read_bytes())
            )
        except (OSError, ReferenceFileError) as error:
            _fail(f"{bodies}: {error}", as_json)
    if as_json:
        _emit(True, result)
        return
    table = Table("table", "created", "updated", "unchanged", title="Reference data")
    for name, counts in result["reference"].items():
        table.add_row(
            name, str(counts["created"]), str(counts["updated"]), str(counts["unchanged"])
        )
    console.print(table)
    if "bodies_file" in result:
        console.print(f"Bodies from {bodies}: {result['bodies_file']}")


@app.command()
def createuser(
    username: str,
    role: Annotated[
        str,
        typer.Option(
            help="participant, facilitator, programme_manager, assessor, analyst or administrator"
        ),
    ] = "participant",
    body: Annotated[
        str | None, typer.Option(help="ONS code of the user's body; omit for the delivery team")
    ] = None,
    email: Annotated[str, typer.Option()] = "",
    first_name: Annotated[str, typer.Option()] = "",
    last_name: Annotated[str, typer.Option()] = "",
    language: Annotated[str, typer.Option(help="en or cy")] = "en",
    password: Annotated[
        str | None,
        typer.Option(
            help="Read from INFUSE_PASSWORD or asked for when not given", envvar="INFUSE_PASSWORD"
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user with a role, belonging to a body or to the delivery team."""
    _setup()
    from django.core.exceptions import ValidationError

    from infuse.accounts.models import Role, User
    from infuse.accounts.services import user_create
    from infuse.reference.selectors import body_by_code

    if role not in Role.values:
        _fail(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.", as_json)
    if language not in ("en", "cy"):
        _fail("The language must be en or cy.", as_json)
    owner = None
    if body:
        owner = body_by_code(body)
        if owner is None:
            _fail(
                f"No public body has the code {body!r}. Run 'infuse load-reference' first.", as_json
            )
    if User.objects.filter(username=username).exists():
        _fail(f"A user called {username!r} already exists.", as_json)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = user_create(
            actor=None,
            username=username,
            password=password,
            role=role,
            body=owner,
            email=email,
            first_name=first_name,
            last_name=last_name,
            preferred_language=language,
        )
    except ValidationError as error:
        _fail(" ".join(error.messages), as_json)
    _emit(
        as_json,
        {"username": user.username, "role": user.role, "body": body, "id": user.pk},
        f"Created [bold]{user.username}[/bold] "
        f"({Role(user.role).label}, {owner or 'delivery team'}).",
    )


@app.command()
def demo(
    months: Annotated[int, typer.Option(help="Months of generated spend files per authority")] = 12,
    as_json: JsonOption = False,
) -> None:
    """Build the demonstration workspace (idempotent) and say how to sign in."""
    _setup()
    from infuse.demo import demo_build

    with console.status("Building the demonstration workspace", spinner="dots"):
        result = demo_build(ledger_months=months)
    if as_json:
        _emit(True, result)
        return
    table = Table("username", "role", "body", "language", title="Demo sign-ins")
    for person in result["people"]:
        table.add_row(
            person["username"],
            person["role"],
            person["body"] or "delivery team",
            person["language"],
        )
    console.print(table)
    console.print(f"Every demo user's password is [bold]{result['password']}[/bold]")


@app.command()
def run(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="Web server worker processes")] = 2,
) -> None:
    """Serve Infuse with a background worker beside it, until interrupted (Ctrl+C)."""
    _setup()
    env = {**os.environ}
    web = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "infuse.config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            # Idle keep-alive connections stay open longer than a person's pause between pages,
            # so a browser never reuses one the server is just closing.
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    worker = subprocess.Popen([sys.executable, "-m", "infuse.cli", "worker"], env=env)
    console.print(f"Infuse is running at [bold]http://{host}:{port}/[/bold] (Ctrl+C stops it).")

    def stop(*_args: Any) -> None:
        for process in (web, worker):
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while web.poll() is None and worker.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in (web, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@app.command()
def worker(
    batch: Annotated[bool, typer.Option("--batch", help="Run the queued jobs, then stop")] = False,
    tidy_after: Annotated[
        int, typer.Option(help="Seconds after which an unreferenced store file is removed")
    ] = 600,
) -> None:
    """Run the background worker, after putting right what a stopped worker left behind.

    Jobs left running are marked failed (their work was all or nothing, so nothing changed) and
    files in the analytical store that no live record uses are removed.
    """
    _setup()
    from django.core.management import call_command

    from infuse.jobs.services import jobs_interrupted_recover
    from infuse.warehouse.store import default_store, live_paths

    recovered = jobs_interrupted_recover()
    removed = default_store().collect_garbage(live_paths(), older_than_seconds=tidy_after)
    if recovered or removed:
        console.print(
            f"Recovered {len(recovered)} interrupted job(s); removed {len(removed)} stray file(s)."
        )
    options: dict[str, Any] = {"queue_name": "*", "verbosity": 0 if batch else 1}
    if batch:
        options.update(batch=True, startup_delay=False)
    call_command("db_worker", **options)


@app.command()
def backup(
    destination: Annotated[Path, typer.Argument(help="A new or empty folder for the backup")],
    as_json: JsonOption = False,
) -> None:
    """Back up the whole data directory (database, analytical store, uploads) while it runs."""
    _setup()
    from infuse.backup import backup_create
    from infuse.errors import UserFacingError

    try:
        manifest = backup_create(destination)
    except UserFacingError as error:
        _fail(str(error), as_json)
    except (OSError, subprocess.CalledProcessError) as error:
        _fail(f"The backup failed: {error}", as_json)
    _emit(
        as_json,
        {"destination": str(destination), **manifest.as_dict()},
        f"Backed up {len(manifest.files)} files to [bold]{destination}[/bold].",
    )


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="A folder made by 'infuse backup'")],
    force: Annotated[
        bool, typer.Option(help="Restore over a data directory that is not empty")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Restore a backup onto an empty data directory (stop the server first)."""
    _setup()
    from infuse.backup import backup_restore
    from infuse.errors import UserFacingError

    try:
        manifest = backup_restore(source, force=force)
    except UserFacingError as error:
        _fail(str(error), as_json)
    except (OSError, subprocess.CalledProcessError) as error:
        _fail(f"The restore failed: {error}", as_json)
    _emit(
        as_json,
        {"source": str(source), **manifest.as_dict()},
        f"Restored the backup of {manifest.created_at} from [bold]{source}[/bold].",
    )


@app.command("programme-report")
def programme_report(as_json: JsonOption = False) -> None:
    """Programme participation, completion and capability uplift (95 per cent intervals)."""
    _setup()
    from infuse.programme.models import Cohort
    from infuse.programme.selectors import programme_summary

    summary = programme_summary(Cohort.objects.values("pk"))
    if as_json:
        _emit(True, summary)
        return
    progress = summary["progress"]
    console.print(
        f"{summary['cohorts']} cohorts, {progress['participants']} places, "
        f"{progress['completed']} completed"
    )
    table = Table("lab", "places", "completed", "uplift", "95% interval", title="By lab")
    for lab, row in progress["by_lab"].items():
        uplift = summary["uplift"]["by_lab"].get(lab) or {}
        interval = (
            f"{uplift['ci95_low']:.2f} to {uplift['ci95_high']:.2f}"
            if uplift.get("ci95_low") is not None
            else "—"
        )
        change = f"{uplift['mean_change']:+.2f}" if uplift else "—"
        table.add_row(lab, str(row["participants"]), str(row["completed"]), change, interval)
    console.print(table)


@app.command("import-spend")
def import_spend(
    files: Annotated[
        list[Path], typer.Argument(help="Spend files: CSV, XLSX or ODS, optionally .gz")
    ],
    body: Annotated[
        str, typer.Option(help="ONS code (or other code) of the body that published them")
    ],
    mapping: Annotated[
        str | None,
        typer.Option(help='Columns for roles, as JSON: {"payment_date": "Paid Date", "amount": 6}'),
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Replace a live file covering the same months")
    ] = False,
    visibility: Annotated[str, typer.Option(help="private, regional or public")] = "regional",
    categorise: Annotated[
        bool,
        typer.Option(help="Categorise the body's lines after a file goes live, as the page does"),
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Import spend ledgers for a body; each file is imported whole or not at all. When a file
    goes live, every line of the body is categorised again (the stored models, no retraining)."""
    _setup()
    from infuse.errors import UserFacingError
    from infuse.procurement.services import spend_import_or_fail, spend_upload
    from infuse.reference.selectors import body_by_code

    owner = body_by_code(body)
    if owner is None:
        _fail(f"No public body has the code {body!r}. Run 'infuse load-reference' first.", as_json)
    if visibility not in ("private", "regional", "public"):
        _fail("The visibility must be private, regional or public.", as_json)
    chosen = None
    if mapping:
        try:
            chosen = json.loads(mapping)
        except ValueError:
            _fail('--mapping must be JSON, for example {"amount": "Net Amount"}.', as_json)
    results: list[dict[str, Any]] = []
    with Progress(console=console, transient=True, disable=as_json) as progress:
        overall = progress.add_task("Importing", total=len(files) * 4)
        for index, path in enumerate(files):
            entry: dict[str, Any] = {"file": str(path)}
            try:
                content = path.read_bytes()
                batch = spend_upload(
                    actor=None,
                    body=owner,
                    file_name=path.name,
                    content=content,
                    visibility=visibility,
                )
                if batch.status == "live":
                    entry.update(status="already_imported")
                else:

                    def report(
                        done: int,
                        total: int,
                        stage: str,
                        base: int = index * 4,
                        name: str = path.name,
                    ) -> None:
                        progress.update(
                            overall, completed=base + done, description=f"{name}: {stage}"
                        )

                    batch = spend_import_or_fail(
                        actor=None,
                        batch=batch,
                        mapping=chosen,
                        confirm_replace=replace,
                        progress=report,
                    )
                    entry.update(status=batch.status)
                entry.update(
                    batch=batch.pk,
                    rows_imported=batch.rows_imported,
                    rows_rejected=batch.rows_rejected,
                    total_amount=str(batch.total_amount),
                    first_payment_date=batch.first_payment_date,
                    last_payment_date=batch.last_payment_date,
                    reason=batch.error,
                    rejected=batch.rejected[:20],
                )
            except (OSError, UserFacingError) as error:
                entry.update(status="failed", reason=str(error))
            except Exception as error:  # recorded on the batch and logged by the service
                entry.update(status="failed", reason=f"unexpected error: {error}")
            results.append(entry)
    categorised = None
    if categorise and any(r["status"] == "live" for r in results):
        assert owner is not None
        categorised = _categorise_after_import(owner)
    if as_json:
        _emit(True, {"files": results, "categorised": categorised})
    else:
        table = Table(
            "file", "status", "rows", "rejected", "total £", "reason", title="Spend import"
        )
        for r in results:
            table.add_row(
                Path(r["file"]).name,
                r["status"],
                str(r.get("rows_imported", "")),
                str(r.get("rows_rejected", "")),
                r.get("total_amount", ""),
                r.get("reason", ""),
            )
        console.print(table)
        if categorised is not None:
            console.print(
                f"Categorised: {categorised['share_classified']:.1%} of {categorised['lines']}"
                " lines."
                if "reason" not in categorised
                else f"Not categorised: {categorised['reason']}"
            )
    if any(r["status"] in ("failed", "needs_mapping") for r in results):
        raise typer.Exit(1)


def _categorise_after_import(owner: Any) -> dict[str, Any]:
    """Categorise a body's lines after an import, as the import job does on the page; a failure
    leaves the import live and the earlier categories in place, and is reported."""
    from infuse.errors import UserFacingError
    from infuse.procurement.category_services import category_run

    try:
        run = category_run(actor=None, body=owner, train=False)
    except UserFacingError as error:
        return {"reason": str(error)}
    return {
        "run": run.pk,
        "lines": run.lines,
        "by_source": run.counts,
        "share_classified": round(run.share_classified, 4),
    }


@app.command()
def power(
    design: Annotated[
        str,
        typer.Argument(
            help="two-means, two-proportions, cluster, stepped-wedge, multi-arm or simulation"
        ),
    ],
    n: Annotated[
        float | None,
        typer.Option(help="People per group (per cluster-period for stepped-wedge)"),
    ] = None,
    delta: Annotated[float | None, typer.Option(help="Difference to detect")] = None,
    sd: Annotated[float | None, typer.Option(help="Standard deviation of the outcome")] = None,
    power: Annotated[float | None, typer.Option("--power", help="Power, e.g. 0.8")] = None,
    alpha: Annotated[float | None, typer.Option(help="Significance level (0.05)")] = None,
    alternative: Annotated[str | None, typer.Option(help="two-sided or one-sided")] = None,
    ratio: Annotated[float | None, typer.Option(help="Allocation ratio")] = None,
    p1: Annotated[float | None, typer.Option(help="Proportion without the change")] = None,
    p2: Annotated[float | None, typer.Option(help="Proportion with the change")] = None,
    clusters: Annotated[float | None, typer.Option(help="Clusters (per arm for cluster)")] = None,
    cluster_size: Annotated[float | None, typer.Option(help="People per cluster")] = None,
    icc: Annotated[float | None, typer.Option(help="Intracluster correlation")] = None,
    cv: Annotated[float | None, typer.Option(help="Coefficient of variation of sizes")] = None,
    periods: Annotated[float | None, typer.Option(help="Periods (stepped-wedge)")] = None,
    arms: Annotated[float | None, typer.Option(help="Versions against control")] = None,
    adjustment: Annotated[str | None, typer.Option(help="dunnett or bonferroni")] = None,
    model: Annotated[
        str | None, typer.Option(help="Simulation: individual, cluster or stepped-wedge")
    ] = None,
    simulations: Annotated[float | None, typer.Option(help="Simulated trials")] = None,
    seed: Annotated[float | None, typer.Option(help="Random seed for simulation")] = None,
    as_json: JsonOption = False,
) -> None:
    """Power, sample size or minimum detectable effect: leave out the one to solve for.

    Example: infuse power two-means --delta 1 --sd 1 --n 20 (or --power 0.9 instead of --n).
    """
    from infuse.adaption.power_requests import PowerRequestError, power_answer

    options = {
        "n": n, "delta": delta, "sd": sd, "power": power, "alpha": alpha,
        "alternative": alternative, "ratio": ratio, "p1": p1, "p2": p2, "clusters": clusters,
        "cluster_size": cluster_size, "icc": icc, "cv": cv, "periods": periods, "arms": arms,
        "adjustment": adjustment, "model": model, "simulations": simulations, "seed": seed,
    }  # fmt: skip
    try:
        answer = power_answer(design, {k: v for k, v in options.items() if v is not None})
    except PowerRequestError as error:
        _fail(error.message.text(), as_json)
        return
    result = answer.as_dict()
    if as_json:
        _emit(True, result)
        return
    console.print(result["headline"])
    table = Table("figure", "value", title=design)
    for key, value in answer.result.items():
        table.add_row(key, f"{value:.6g}" if isinstance(value, float) else str(value))
    console.print(table)


@app.command()
def randomise(
    units: Annotated[Path, typer.Argument(help="Units to allocate: CSV, XLSX or ODS")],
    design: Annotated[
        str, typer.Option(help="simple, blocked, stratified, cluster or stepped-wedge")
    ],
    seed: Annotated[int, typer.Option(help="Seed (a whole number); the same seed, the same")],
    id_column: Annotated[str | None, typer.Option(help="Id column (default: id or first)")] = None,
    arms: Annotated[str, typer.Option(help="Arm names, comma-separated")] = "control,intervention",
    ratio: Annotated[str | None, typer.Option(help="Ratio like 1:1 or 2:1")] = None,
    strata: Annotated[str | None, typer.Option(help="Columns to stratify by, commas")] = None,
    cluster: Annotated[str | None, typer.Option(help="Column naming each unit's cluster")] = None,
    block_sizes: Annotated[str | None, typer.Option(help="Block sizes, e.g. 4,6")] = None,
    periods: Annotated[int | None, typer.Option(help="Periods (stepped-wedge)")] = None,
    sequences: Annotated[int | None, typer.Option(help="Sequences (stepped-wedge)")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the allocation to this CSV")] = None,
    as_json: JsonOption = False,
) -> None:
    """Allocate units to arms, reproducibly: prints the record (seed, versions, digests)."""
    from infuse.adaption import allocating

    def listed(text: str | None) -> tuple[str, ...]:
        return tuple(part.strip() for part in (text or "").split(",") if part.strip())

    if not units.is_file():
        _fail(f"{units} is not a file.", as_json)
    try:
        ratio_parts = tuple(int(part) for part in ratio.split(":")) if ratio else ()
        sizes = tuple(int(part) for part in listed(block_sizes))
    except ValueError:
        _fail("Write the ratio like 1:1 and block sizes like 4,6.", as_json)
        return
    plan = allocating.AllocationPlan(
        design=design,
        arms=listed(arms),
        ratio=ratio_parts,
        strata_columns=listed(strata),
        cluster_column=cluster,
        block_sizes=sizes,
        periods=periods,
        sequences=sequences,
    )
    try:
        table = allocating.read_units(units.read_bytes(), id_column=id_column)
        outcome = allocating.allocate(table, plan, seed=seed)
    except allocating.UnitsError as error:
        _fail(error.message.text(), as_json)
        return
    if out is not None:
        out.write_bytes(allocating.allocation_csv(outcome))
    result: dict[str, Any] = {
        "record": outcome.allocation.record.as_dict(),
        "arm_counts": outcome.allocation.arm_counts(),
        "balance": outcome.balance.to_dicts(),
    }
    if outcome.allocation.schedule is not None:
        result["schedule"] = outcome.allocation.schedule.to_dicts()
    if out is None:
        result["allocation"] = outcome.allocation.table.to_dicts()
    if as_json:
        _emit(True, result)
        return
    record = result["record"]
    console.print(
        f"{record['unit_count']} units allocated by {record['algorithm']} "
        f"{record['algorithm_version']}, seed {record['seed']}"
    )
    for arm, count in result["arm_counts"].items():
        console.print(f"  {arm}: {count}")
    console.print(f"input sha256 {record['input_sha256']}")
    console.print(f"allocation sha256 {record['allocation_sha256']}")
    if out is not None:
        console.print(f"written to {out}")


@app.command()
def analyse(
    method: Annotated[
        str,
        typer.Argument(
            help="rct (randomised arms), stepped-wedge (clusters crossing over in turn), did "
            "(2x2 difference-in-differences), staggered "
            "(staggered adoption, event study), synth (synthetic control), its (interrupted "
            "time series)"
        ),
    ],
    data: Annotated[Path, typer.Argument(help="One row per unit (and period): CSV, XLSX, ODS")],
    outcome: Annotated[str, typer.Option(help="Outcome column")],
    arm: Annotated[str, typer.Option(help="rct: column naming each unit's arm")] = "arm",
    control: Annotated[str | None, typer.Option(help="rct: control arm (default first)")] = None,
    covariates: Annotated[
        str | None, typer.Option(help="rct: baseline columns, commas (Lin)")
    ] = None,
    cluster: Annotated[str | None, typer.Option(help="rct, stepped-wedge: cluster column")] = None,
    binary: Annotated[bool, typer.Option("--binary", help="rct: outcome is 0/1")] = False,
    count: Annotated[
        bool, typer.Option("--count", help="rct: outcome is a count (adds the rate ratio)")
    ] = False,
    correction: Annotated[
        str, typer.Option(help="rct: none, holm, bonferroni, benjamini_hochberg")
    ] = "none",
    permutations: Annotated[int, typer.Option(help="rct: re-randomisations for the p-value")] = (
        10_000
    ),
    seed: Annotated[int, typer.Option(help="Seed for re-randomisations and bootstraps")] = 0,
    cuped: Annotated[
        str | None, typer.Option(help="rct: pre-period column of the outcome (CUPED)")
    ] = None,
    prior_sd: Annotated[
        float | None,
        typer.Option(
            help="rct: sd of the normal prior on the effect, centred on 0 (flat if unset)"
        ),
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="rct: effect size whose probability of being exceeded is given")
    ] = 0.0,
    unit: Annotated[str | None, typer.Option(help="did/staggered/synth: unit column")] = None,
    time: Annotated[
        str | None, typer.Option(help="stepped-wedge/staggered/synth/its: time column")
    ] = None,
    treated: Annotated[str | None, typer.Option(help="did: 0/1 treated-group column")] = None,
    after: Annotated[
        str | None, typer.Option(help="did/its: 0/1 column for the period after the start")
    ] = None,
    first_treated: Annotated[
        str | None,
        typer.Option(help="stepped-wedge, staggered: period first treated (0 or empty: never)"),
    ] = None,
    control_group: Annotated[
        str, typer.Option(help="staggered: never or not_yet treated units as comparison")
    ] = "never",
    treated_unit: Annotated[str | None, typer.Option(help="synth: the treated unit")] = None,
    start: Annotated[
        float | None, typer.Option(help="synth/its: first period after the start")
    ] = None,
    predictor: Annotated[
        list[str] | None,
        typer.Option(help="synth: column:first-last or column:y1,y2 (repeat the option)"),
    ] = None,
    donors: Annotated[str | None, typer.Option(help="synth: comparison units, ';'")] = None,
    training_predictor: Annotated[
        list[str] | None,
        typer.Option(help="synth: cross-validation predictors of a training period (repeat)"),
    ] = None,
    validation: Annotated[
        str | None, typer.Option(help="synth: cross-validation period, first-last")
    ] = None,
    fit_from: Annotated[
        float | None, typer.Option(help="synth: fit the outcome from this period")
    ] = None,
    no_placebos: Annotated[bool, typer.Option("--no-placebos", help="synth: skip")] = False,
    model: Annotated[str, typer.Option(help="its: linear, poisson or quasi_poisson")] = "poisson",
    offset: Annotated[str | None, typer.Option(help="its: population column (counts)")] = None,
    season: Annotated[str | None, typer.Option(help="its: season column, e.g. month")] = None,
    harmonics: Annotated[int, typer.Option(help="its: sine/cosine pairs for season")] = 0,
    slope_change: Annotated[
        bool, typer.Option("--slope-change", help="its: also a change of trend")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Analyse an experiment or a natural experiment. rct: intention to treat (Welch, HC2,
    Lin, risk ratio, randomisation inference, Holm or Benjamini-Hochberg). did, staggered,
    synth and its: for changes that could not be randomised."""
    import dataclasses

    from infuse.adaption import allocating
    from infuse.adaption.analysis_requests import METHODS, quasi_analysis, rct_comparisons
    from infuse.adaption.messages import AdaptionInputError

    if method not in METHODS:
        _fail(f"Choose one of: {', '.join(METHODS)}.", as_json)
    if not data.is_file():
        _fail(f"{data} is not a file.", as_json)
    try:
        frame, _notes = allocating.read_table(data.read_bytes())
    except AdaptionInputError as error:
        _fail(error.message.text(), as_json)
        return
    if method != "rct":
        options = {
            "outcome": outcome,
            "cluster": cluster,
            "unit": unit,
            "time": time,
            "treated": treated,
            "after": after,
            "first_treated": first_treated,
            "control_group": control_group,
            "treated_unit": treated_unit,
            "start": start,
            "predictors": predictor or [],
            "training_predictors": training_predictor or [],
            "validation": validation,
            "donors": donors,
            "fit_from": fit_from,
            "no_placebos": no_placebos,
            "model": model,
            "offset": offset,
            "season": season,
            "harmonics": harmonics,
            "slope_change": slope_change,
            "seed": seed,
        }
        try:
            answer = quasi_analysis(method, frame, options)
        except AdaptionInputError as error:
            _fail(error.message.text(), as_json)
            return
        if as_json:
            _emit(True, answer)
            return
        console.print(answer["headline"])
        for note in answer["result"]["notes"]:
            console.print(f"  note: {note}")
        return
    try:
        comparisons = rct_comparisons(
            frame,
            {
                "outcome": outcome,
                "arm": arm,
                "control": control,
                "cluster": cluster,
                "outcome_type": "binary" if binary else "count" if count else "continuous",
                "covariates": covariates,
                "correction": correction,
                "permutations": permutations,
                "seed": seed,
                "pre_period": cuped,
                "prior_sd": prior_sd,
                "threshold": threshold,
            },
        )
    except AdaptionInputError as error:
        _fail(error.message.text(), as_json)
        return
    result = {"method": method, "comparisons": [dataclasses.asdict(c) for c in comparisons]}
    if as_json:
        _emit(True, result)
        return
    for comparison in comparisons:
        primary = comparison.primary
        console.print(
            f"{comparison.arm} vs {comparison.control}: {primary['estimate']:.4g} "
            f"[{primary['ci_low']:.4g}, {primary['ci_high']:.4g}] p={primary['p_value']:.4g} "
            f"({primary['method']}); randomisation p={comparison.randomisation_p_value:.4g}"
        )
        if comparison.bayesian:
            console.print(
                f"  probability the effect is above {comparison.bayesian['threshold']:g}: "
                f"{comparison.bayesian['probability_above_threshold']:.3f}"
            )


@app.command("spend-summary")
def spend_summary(
    body: Annotated[str, typer.Option(help="ONS code of the body")],
    date_from: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
    as_json: JsonOption = False,
) -> None:
    """Spend figures for a body: totals, by month, department, category, top suppliers, and
    the local share (where the suppliers are, by postcode) for the same period."""
    _setup()
    import dataclasses
    import datetime

    from infuse.procurement import spend_queries
    from infuse.procurement.models import SpendBatch
    from infuse.warehouse.store import default_store

    try:
        start = datetime.date.fromisoformat(date_from) if date_from else None
        end = datetime.date.fromisoformat(date_to) if date_to else None
    except ValueError:
        _fail("Dates must be written YYYY-MM-DD.", as_json)
    files = list(
        SpendBatch.objects.filter(owner_body__code=body, status=SpendBatch.Status.LIVE).values_list(
            "parquet_path", flat=True
        )
    )
    if not files:
        _fail(f"No spend is imported for {body}.", as_json)
    from infuse.procurement.category_selectors import category_files

    files += category_files([body])
    spend = spend_queries.SpendFilter(bodies=(body,), date_from=start, date_to=end)
    result = dataclasses.asdict(spend_queries.overview(default_store(), files, spend))
    local = _local_share_for_system(body, spend)
    if as_json:
        _emit(True, {"body": body, **result, "local_share": local})
        return
    totals = result["totals"]
    console.print(
        f"{body}: {totals['lines']} lines, £{totals['total']:,} "
        f"({totals['first_date']} to {totals['last_date']})"
    )
    if local is not None:
        console.print(_local_share_line(local))
    table = Table("supplier", "£", "share", title="Top suppliers")
    for share in result["top_suppliers"][:10]:
        table.add_row(share["label"], f"{share['amount']:,}", f"{share['share']:.1%}")
    console.print(table)


def _local_share_for_system(body: str, spend: Any) -> dict[str, object] | None:
    """The body's local share for the lines ``spend`` selects, in the API's shape (``None``
    when the body has no spend)."""
    from infuse.procurement.api import local_share_out
    from infuse.procurement.selectors import local_share_of, supplier_overview_for_system
    from infuse.reference.selectors import body_by_code

    owner = body_by_code(body)
    overview = supplier_overview_for_system(owner) if owner is not None else None
    return local_share_out(local_share_of(overview, spend)) if overview is not None else None


def _local_share_line(local: dict[str, Any]) -> str:
    def share(value: object) -> str:
        return "unknown" if value is None else f"{float(value):.1%}"  # type: ignore[arg-type]

    parts = {part["place"]: part["share"] for part in local["parts"]}
    return (
        f"Local share: own authority {share(parts['authority'])}, elsewhere in the region "
        f"{share(parts['region'])}, elsewhere in Wales {share(parts['wales'])}, outside Wales "
        f"{share(parts['outside'])}, place unknown {share(parts['unknown'])}, withheld "
        f"{share(parts['withheld'])}"
    )


@app.command("postcode-districts")
def postcode_districts(
    files: Annotated[
        list[Path],
        typer.Argument(help="ONS National Statistics Postcode Lookup CSV files (pcds, laua, ctry)"),
    ],
    load: Annotated[
        bool,
        typer.Option(
            "--load", help="Make it the table the local share uses, as the reference page does"
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the districts table (CSV) here instead of loading it"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Build a complete postcode districts table for the local share from the ONS postcode
    lookup: load it (--load), or write it to a file (--out) for INFUSE_POSTCODE_DISTRICTS."""
    if load == (out is not None):
        _fail("Give either --load or --out FILE.", as_json)
    sources = []
    for path in files:
        if not path.is_file():
            _fail(f"There is no file {path}.", as_json)
        sources.append((path.name, path.read_bytes()))
    _setup()
    from infuse.reference.loading import ReferenceFileError
    from infuse.reference.postcodes import write_districts
    from infuse.reference.selectors import (
        postcode_districts_build,
        postcode_districts_file,
        postcode_tables_dir,
    )
    from infuse.reference.services import postcode_districts_load

    try:
        if load:
            table = postcode_districts_load(actor=None, sources=sources)
            written = postcode_tables_dir() / table.file_name
            counts = (table.districts, table.rows, table.straddling)
        else:
            assert out is not None
            built = postcode_districts_build(sources)
            write_districts(built.table, out)
            written, counts = out, (built.districts, built.rows, built.straddling)
        result = {
            "file": str(written),
            **dict(zip(("districts", "rows", "straddling"), counts, strict=True)),
        }
    except ReferenceFileError as error:
        _fail(str(error), as_json)
    if as_json:
        _emit(True, result)
        return
    if not load:
        where = f"Set INFUSE_POSTCODE_DISTRICTS={out} to use it, or load it with --load."
    elif postcode_districts_file()[1] == "loaded":
        where = "The local share now uses it."
    else:
        where = "It is not used while INFUSE_POSTCODE_DISTRICTS names another table."
    console.print(
        f"{result['districts']} postcode districts ({result['straddling']} in more than one "
        f"authority) written to {result['file']}. {where}"
    )


@app.command("categorise")
def categorise(
    body: Annotated[str, typer.Option(help="ONS code of the body")],
    train: Annotated[
        bool, typer.Option(help="Retrain the body's text model first (--no-train: reuse it)")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Give every spend line of a body a category, a confidence and the reason."""
    _setup()
    from infuse.errors import UserFacingError
    from infuse.procurement.category_services import category_run
    from infuse.reference.selectors import body_by_code

    owner = body_by_code(body)
    if owner is None:
        _fail(f"No public body has the code {body!r}. Run 'infuse load-reference' first.", as_json)
    try:
        assert owner is not None
        run = category_run(actor=None, body=owner, train=train)
    except UserFacingError as error:
        _fail(str(error), as_json)
    model = run.model
    payload = {
        "body": body,
        "run": run.pk,
        "lines": run.lines,
        "by_source": run.counts,
        "amount_by_source": run.amounts,
        "share_classified": round(run.share_classified, 4),
        "model": None
        if model is None
        else {
            "own": model.body_id is not None,
            "trained_lines": model.trained_lines,
            "held_out_accuracy": model.held_out_accuracy,
        },
        "notes": run.notes,
    }
    if as_json:
        _emit(True, payload)
        return
    table = Table("decided by", "lines", "£", title=f"{body}: {run.lines} lines")
    for source, count in run.counts.items():
        table.add_row(source, str(count), f"{run.amounts.get(source, 0):,.2f}")
    console.print(table)
    console.print(f"Classified: {run.share_classified:.1%} of lines.")


@app.command("carbon-report")
def carbon_report(
    body: Annotated[str, typer.Option(help="ONS code of the body")],
    year: Annotated[
        int | None, typer.Option(help="financial year starting in April of YYYY")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The annual supply-chain carbon return of a body: tCO2e by category and tier."""
    _setup()
    from infuse.procurement import selectors
    from infuse.reference.models import Body

    found = Body.objects.filter(code=body).first()
    if found is None:
        _fail(f"No body has the code {body}.", as_json)
        return
    report = selectors.carbon_return(None, found, year)
    if report is None:
        _fail(f"No spend is imported for {body}, or no emission factors are loaded.", as_json)
        return
    totals = report["totals"]
    payload = {
        "body": body,
        "financial_year": year,
        "factor_set": {
            "name": report["factor_set"].name,
            "version": report["factor_set"].version,
            "base_year": report["factor_set"].base_year,
            "licence": report["factor_set"].licence,
        },
        "tco2e": totals.tco2e,
        "tco2e_low": totals.low,
        "tco2e_high": totals.high,
        "spend_in_scope_gbp": totals.in_scope_spend,
        "spend_excluded_gbp": totals.excluded_spend,
        "rows": report["rows"],
        "excluded": report["exclusions"],
    }
    if as_json:
        _emit(True, payload)
        return
    console.print(
        f"{body}{f' {year}-{str(year + 1)[-2:]}' if year else ''}: {totals.tco2e:,.1f} tCO2e "
        f"(range {totals.low:,.1f} to {totals.high:,.1f}) from £{totals.in_scope_spend:,.0f} "
        f"in scope; £{totals.excluded_spend:,.0f} excluded"
    )
    table = Table("category", "tier", "£", "tCO2e", "range", title="Supply-chain return")
    for row in report["rows"]:
        table.add_row(
            row["category"],
            str(row["tier"]),
            f"{row['spend_gbp']:,.0f}",
            f"{row['tco2e']:,.1f}",
            f"{row['tco2e_low']:,.1f}–{row['tco2e_high']:,.1f}",
        )
    console.print(table)


@app.command("suppliers")
def suppliers(
    body: Annotated[str, typer.Option(help="ONS code (or other code) of the body")],
    search: Annotated[
        str,
        typer.Option(
            "--search", help="Only clusters with a spelling, number or postcode containing this"
        ),
    ] = "",
    limit: Annotated[int, typer.Option(help="At most this many clusters (0 for all)")] = 0,
    as_json: JsonOption = False,
) -> None:
    """A body's suppliers: spellings clustered, with spend, confidence, evidence, size and the
    SME share. Individuals and redacted names are given as one withheld total, never by name."""
    _setup()
    from infuse.procurement.api import suppliers_out
    from infuse.procurement.selectors import supplier_overview_for_system, supplier_rows
    from infuse.reference.selectors import body_by_code

    owner = body_by_code(body)
    if owner is None:
        _fail(f"No public body has the code {body!r}. Run 'infuse load-reference' first.", as_json)
        return
    overview = supplier_overview_for_system(owner)
    if overview is None:
        _fail(f"No spend is imported for {body}.", as_json)
        return
    rows = supplier_rows(overview, search=search)
    result = suppliers_out(overview, rows, 0, limit if limit > 0 else rows.height)
    if as_json:
        _emit(True, result)
        return
    sme = result["sme_share"]
    assert isinstance(sme, dict)

    def share(part: str) -> str:
        value = overview.sme.share(part)
        return "unknown" if value is None else f"{value:.1%}"

    console.print(
        f"{body}: {result['matching']} suppliers; spend £{sme['total']:,} — SMEs "
        f"{share('sme')}, not SMEs {share('large')}, size unknown {share('unknown')}, "
        f"withheld {share('withheld')}"
    )
    local = result["local_share"]
    assert isinstance(local, dict)
    console.print(_local_share_line(local))
    table = Table("supplier", "spellings", "£", "grouped by", "size", title="Suppliers")
    clusters = result["clusters"]
    assert isinstance(clusters, list)
    for cluster in clusters[: limit if limit > 0 else 20]:
        table.add_row(
            str(cluster["name"]),
            str(cluster["spelling_count"]),
            f"{cluster['amount']:,}",
            ", ".join(cluster["evidence"]),
            cluster["size"],
        )
    console.print(table)


challenge_fund = typer.Typer(help="The Challenge Fund: rankings of a call's bids.")
app.add_typer(challenge_fund, name="challenge-fund")


@challenge_fund.command("ranking")
def challenge_fund_ranking(
    call: Annotated[int, typer.Option("--call", help="The call's number (from its page)")],
    as_json: JsonOption = False,
) -> None:
    """A call's scored bids per phase: rank, weighted score, the quality threshold, and which
    bids funding in rank order within the phase's budget would fund."""
    _setup()
    from infuse.challenges import panel
    from infuse.challenges.models import Call
    from infuse.challenges.selectors import panel_of

    found = Call.objects.filter(pk=call).first()
    if found is None:
        _fail(f"There is no call {call}.", as_json)
    assert found is not None
    board = panel_of(found)
    phases: list[dict[str, Any]] = []
    for phase in board.phases():
        ranking = board.ranking_of(phase)
        costs = {entry.key: board.bids[entry.key].bid.budget for entry in ranking}
        budget = found.budget_of(phase)
        proposal = panel.fund_in_rank_order(ranking, costs, budget)
        phases.append(
            {
                "phase": phase,
                "budget": budget,
                "bids": [
                    {
                        "rank": entry.rank,
                        "bid": entry.key,
                        "title": board.bids[entry.key].bid.title,
                        "lead_body": board.bids[entry.key].bid.owner_body.code,
                        "weighted_score": entry.score,
                        "passes_threshold": entry.passes,
                        "budget": costs[entry.key],
                        "funded_in_rank_order": entry.key in proposal.funded,
                        "status": board.bids[entry.key].bid.status,
                    }
                    for entry in ranking
                ],
            }
        )
    payload = {
        "call": found.pk,
        "title": found.title_en,
        "quality_threshold": found.quality_threshold,
        "phases": phases,
    }
    if as_json:
        _emit(True, payload)
        return
    console.print(f"{found.title_en}: quality threshold {found.quality_threshold} per cent")
    for item in phases:
        table = Table(
            "rank",
            "bid",
            "lead",
            "score %",
            "threshold",
            "£",
            "in rank order",
            title=f"{item['phase']} (budget £{item['budget']:,})",
        )
        for row in item["bids"]:
            table.add_row(
                str(row["rank"]),
                row["title"],
                row["lead_body"],
                f"{row['weighted_score']:.1f}",
                "passes" if row["passes_threshold"] else "below",
                f"{row['budget']:,}",
                "funded" if row["funded_in_rank_order"] else "—",
            )
        console.print(table)
    if not phases:
        console.print("No bids to this call have been scored yet.")


def _tender(procurement_id: int, as_json: bool) -> Any:
    from infuse.tenders.models import Procurement

    found = Procurement.objects.filter(pk=procurement_id).first()
    if found is None:
        _fail(f"There is no procurement {procurement_id}.", as_json)
    return found


@app.command("tender-results")
def tender_results(
    procurement: Annotated[int, typer.Argument(help="The procurement's number (from its page)")],
    as_json: JsonOption = False,
) -> None:
    """A tender's results per lot: ranking, margin, sensitivity and rank reversal (the same
    answer as GET /api/tenders/{id}/results)."""
    _setup()
    from infuse.tenders.selectors import results_data

    payload = results_data(_tender(procurement, as_json))
    if as_json:
        _emit(True, payload)
        return
    console.print(f"{payload['title_en']} (price formula: {payload['price_formula']})")
    for lot in payload["lots"]:
        table = Table(
            "rank", "bidder", "£", "total", title=f"Lot {lot['number']}: {lot['title_en']}"
        )
        for row in lot["ranking"]:
            table.add_row(
                str(row["rank"]), row["bidder"], f"{row['price']:,.2f}", f"{row['total']:.2f}"
            )
        console.print(table)
        if lot["margin_points"] is not None and len(lot["ranking"]) > 1:
            console.print(f"Margin: {lot['margin_points']:.2f} weighted points")
        if lot["rank_reversal_if_removed"]:
            names = ", ".join(lot["rank_reversal_if_removed"])
            console.print(f"Rank reversal if removed: {names}")
        for gone in lot["withdrawn"]:
            console.print(f"Withdrawn, not ranked: {gone['bidder']} ({gone['reason']})")


@app.command("tender-sensitivity")
def tender_sensitivity(
    procurement: Annotated[int, typer.Argument(help="The procurement's number (from its page)")],
    as_json: JsonOption = False,
) -> None:
    """The winner of each lot when each criterion's weight moves by -10, -5, +5 and +10 points
    (the others rescaled so the total stays 100)."""
    _setup()
    from infuse.tenders.selectors import results_data

    data = results_data(_tender(procurement, as_json))
    lots = [
        {
            "number": lot["number"],
            "winner": lot["ranking"][0]["bidder"] if lot["ranking"] else None,
            "sensitivity": lot["sensitivity"],
            "winner_changes": sum(1 for s in lot["sensitivity"] if s["changed"]),
        }
        for lot in data["lots"]
    ]
    if as_json:
        _emit(True, {"id": data["id"], "title_en": data["title_en"], "lots": lots})
        return
    for lot in lots:
        table = Table("criterion", "move", "winner", "changed", title=f"Lot {lot['number']}")
        for row in lot["sensitivity"]:
            table.add_row(
                row["criterion"],
                f"{row['delta']:+d}",
                row["winner"],
                "yes" if row["changed"] else "",
            )
        console.print(table)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (for developers), e.g. 'infuse manage makemigrations'."""
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["infuse manage", *ctx.args])


# --- Contract data (OCDS): coverage and import ----------------------------------------------


@app.command("coverage")
def ocds_coverage(
    file: Annotated[Path, typer.Argument(help="A JSON-lines file (one JSON value a line)")],
    as_json: JsonOption = False,
) -> None:
    """Count how often each field is non-empty, as Open Contracting's Cardinal 'coverage' does."""
    from infuse.procurement.ocds_coverage import coverage_of_file

    if not file.is_file():
        _fail(f"No such file: {file}", as_json)
    counts = coverage_of_file(str(file))
    if as_json:
        _emit(True, counts)
        return
    table = Table("path", "non-empty", title=f"Field coverage of {file.name}")
    for path, count in sorted(counts.items()):
        table.add_row(path or "(line)", f"{count:,}")
    console.print(table)


@app.command("import-contracts-register")
def import_contracts_register(
    files: Annotated[
        list[Path], typer.Argument(help="Contracts registers: CSV, XLSX or ODS, gzipped or not")
    ],
    body: Annotated[str, typer.Option(help="ONS code (or other code) of the importing body")],
    as_json: JsonOption = False,
) -> None:
    """Import a council's contracts register for a body; each file whole or not at all."""
    from infuse.procurement.contract_services import register_import

    _import_contract_files(files, body, as_json, register_import, read_as="rows")


@app.command("import-ocds")
def import_ocds(
    files: Annotated[
        list[Path], typer.Argument(help="OCDS files: release or record packages, JSON lines")
    ],
    body: Annotated[str, typer.Option(help="ONS code (or other code) of the importing body")],
    as_json: JsonOption = False,
) -> None:
    """Import OCDS contract data for a body; each file whole or not at all, originals kept."""
    from infuse.procurement.contract_services import ocds_import

    _import_contract_files(files, body, as_json, ocds_import, read_as="releases")


def _import_contract_files(
    files: list[Path], body: str, as_json: bool, importer: Any, *, read_as: str
) -> None:
    """Load each file with ``importer`` (OCDS or a register) for ``body``, as the system;
    ``read_as`` names what the file's lines are (releases or register rows) in the report."""
    _setup()
    from infuse.errors import UserFacingError
    from infuse.procurement.contract_selectors import file_problems
    from infuse.reference.selectors import body_by_code

    owner = body_by_code(body)
    if owner is None:
        _fail(f"No public body has the code {body!r}. Run 'infuse load-reference' first.", as_json)
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            imported = importer(
                actor=None, body=owner, file_name=path.name, content=path.read_bytes()
            )
        except (UserFacingError, OSError) as error:
            results.append({"file": str(path), "error": str(error)})
            continue
        results.append(
            {
                "file": str(path),
                "kind": imported.kind,
                "encoding": imported.encoding,
                read_as: imported.releases_read,
                "contracts": imported.contracts_read,
                "problems": file_problems(imported),
            }
        )
    if as_json:
        _emit(True, results)
    else:
        for item in results:
            if "error" in item:
                console.print(f"[red]{item['file']}: {item['error']}[/red]")
            else:
                console.print(
                    f"{item['file']}: {item['kind']}, {item[read_as]} {read_as}, "
                    f"{item['contracts']} contracts, {len(item['problems'])} problems"
                )
    if any("error" in item for item in results):
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()


# --- Red flags (Cardinal's indicators and the UK indicators) -------------------------------------


@app.command()
def redflags(
    file: Annotated[Path, typer.Argument(help="A JSON-lines file of OCDS compiled releases.")],
    settings: Annotated[
        Path, typer.Option("--settings", "-s", help="Cardinal's settings file (INI).")
    ],
    ledger: Annotated[
        Path | None,
        typer.Option(
            "--ledger", help="CSV of ledger spend per supplier (supplier,amount), for UK005."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Red flags over compiled releases, printed in Cardinal's 'indicators' output shape."""
    _setup()
    from django.utils.translation import gettext as _

    from infuse.procurement import redflags as rf
    from infuse.procurement import redflags_uk as uk

    try:
        config = rf.load_settings(settings, extra_sections=uk.SECTIONS)
    except rf.SettingsError as error:
        _fail(_("The settings file is not valid: %(reason)s") % {"reason": error}, as_json)
        return
    try:
        spend = uk.load_ledger_spend(ledger) if ledger else None
    except uk.LedgerError as error:
        _fail(_("The ledger spend file is not valid: %(reason)s") % {"reason": error}, as_json)
        return
    try:
        report = uk.run_all(file, config, ledger_spend=spend)
    except rf.InputError as error:
        _fail(_("The compiled releases cannot be read: %(reason)s") % {"reason": error}, as_json)
        return
    if as_json:
        _emit(True, report.cardinal())
        return
    flags = report.flags()
    console.print(
        _("%(releases)s compiled releases checked; %(flags)s red flags raised.")
        % {"releases": report.releases, "flags": len(flags)}
    )
    if not flags:
        return
    table = Table(_("Indicator"), _("Group"), _("Identifier"), _("Value"), _("Evidence"))
    for row in flags[:200]:
        evidence = {
            k: v
            for k, v in row.items()
            if k not in {"group", "id", "indicator", "value"} and v is not None
        }
        table.add_row(
            row["indicator"],
            row["group"],
            str(row["id"]),
            f"{row['value']:.4g}",
            json.dumps(evidence, ensure_ascii=False, default=str)[:160],
        )
    console.print(table)
    if len(flags) > 200:
        console.print(_("Only the first 200 flags are shown; use --json for all."))


# --- Data Lab: profile a file (datalab/profiling.py; no database needed) ----------------------


@app.command("profile")
def profile_command(
    file: Annotated[Path, typer.Argument(help="A CSV (optionally .gz) or XLSX file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the profile as JSON.")] = False,
) -> None:
    """Profile a file: column types, gaps, ranges, outliers, personal data, quality scorecard."""
    from infuse.datalab.profiling import ProfileError, profile_path

    try:
        result = profile_path(file)
    except ProfileError as error:
        reasons = {
            "missing_file": f"No such file: {file}",
            "empty": "The file has no rows of data under its heading row.",
            "unreadable_xlsx": "The workbook could not be opened (damaged or protected?).",
            "too_many_columns": "The file has too many columns to profile (the most is 500).",
        }
        console.print(reasons.get(error.code, "The file could not be read as a table."))
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        return
    out = Console()
    out.print(
        f"{result['file']}: {result['rows']:,} rows, {result['columns']} columns, "
        f"{result['duplicate_rows']:,} duplicate rows"
    )
    if result["personal_data"]:
        out.print("[bold red]WARNING: suspected personal data — check before sharing:[/]")
        for entry in result["personal_data"]:
            out.print(
                f"  {entry['column']}: {entry['label']} (by {entry['found_by']}), "
                f"e.g. {', '.join(entry['masked_examples'])}"
            )
    table = Table("Column", "Type", "Missing", "Distinct", "Range", "Outliers")
    for column in result["column_profiles"]:
        if column["min"] is not None:
            span = f"{column['min']} – {column['max']}"
        elif column["min_length"] is not None:
            span = f"{column['min_length']}–{column['max_length']} chars"
        else:
            span = "—"
        table.add_row(
            column["name"],
            column["type"],
            f"{column['missing']:,}",
            f"{column['distinct']:,}",
            span,
            "—" if column["outliers"] is None else f"{column['outliers']:,}",
        )
    out.print(table)
    scores = Table("Dimension", "Score", "How it is measured")
    for entry in result["scorecard"]:
        score = "not measured" if entry["score"] is None else f"{100 * entry['score']:.0f}/100"
        scores.add_row(entry["dimension"], score, entry["measure"])
    out.print(scores)


# ---------------------------------------------------------------- Indicator explorer (issue 8)
@app.command("load-open-data")
def load_open_data(
    directory: Annotated[Path, typer.Argument(help="Folder holding the open indicator files")],
    as_json: JsonOption = False,
) -> None:
    """Load the open indicators (CO2, WIMD, Health Index, StatsWales) found in DIRECTORY.

    Idempotent: loading the same files again changes nothing. A bad file loads nothing.
    """
    _setup()
    from infuse.datalab.indicator_services import indicators_load
    from infuse.datalab.indicators import read_directory
    from infuse.errors import UserFacingError

    try:
        readings = read_directory(str(directory))
    except UserFacingError as error:
        _fail(str(error), as_json)
    if not readings:
        _fail(f"No known open indicator files in {directory}.", as_json)
    counts = indicators_load(actor=None, readings=readings)
    payload = {"files": [r.file for r in readings], **counts}
    _emit(
        as_json,
        payload,
        f"Read {len(readings)} file(s): {counts['indicators']} indicator(s) new or changed, "
        f"{counts['added']} value(s) added, {counts['updated']} updated, "
        f"{counts['removed']} removed.",
    )
