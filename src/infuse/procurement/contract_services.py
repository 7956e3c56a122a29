"""Writes of contract data: importing an OCDS file or a contracts register into a body's
contract records.

The original file is kept (``ContractFile.upload``), its releases are stored, and every ocid the
file touches is compiled again from *all* the body's stored releases for it, so a later file
that updates a process merges with the earlier ones. All or nothing: one transaction; the same
file imported again changes nothing.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from infuse.accounts.models import Visibility
from infuse.accounts.policy import Action, BodyWorkspace, can, may_open
from infuse.audit.trail import audit_record, audited, unaudited
from infuse.errors import UserFacingError

from . import contract_selectors
from .ledger_display import translate_problem
from .models import CONTRACT_IMPORT_JOB, ContractFile, ContractRecord, ContractRelease
from .ocds_reading import (
    OcdsFile,
    OcdsFileError,
    compile_releases,
    read_ocds,
    summarise,
)
from .register_reading import (
    RegisterFileError,
    RegisterRead,
    assign_ocids,
    compiled_release,
    looks_like_json,
    read_register,
)

MAX_CONTRACT_FILE_BYTES = 200 * 1024 * 1024


class ContractImportError(UserFacingError):
    """A contract data file that cannot be imported; the message says why, nothing changed."""


@unaudited(reason="reads a file into memory; writes nothing")
def ocds_file_read(content: bytes) -> OcdsFile:
    """Read an OCDS file or raise :class:`ContractImportError` in the user's language."""
    if len(content) > MAX_CONTRACT_FILE_BYTES:
        raise ContractImportError(translate_problem(_too_large()))
    try:
        return read_ocds(content)
    except OcdsFileError as error:
        raise ContractImportError(translate_problem(error.problem)) from error
    except RecursionError as error:  # JSON nested thousands deep
        raise ContractImportError(translate_problem(_not_ocds())) from error


def _too_large() -> Any:
    from .ledger_messages import message

    return message("file_too_large", limit_mb=MAX_CONTRACT_FILE_BYTES // 1024**2)


def _not_ocds() -> Any:
    from .ocds_reading import _message

    return _message("not_ocds")


@unaudited(reason="names a file; writes nothing")
def staged_upload_name(job_id: Any) -> str:
    """Where an uploaded file waits for its import job (removed when the job ends)."""
    return f"contracts/incoming/{job_id}.upload"


@audited
@transaction.atomic
def contract_import_start(
    *, actor: Any, body: Any, file_name: str, content: bytes, visibility: str
) -> Any:
    """Check an uploaded contract data file (OCDS JSON or a contracts register) at once, then
    load it in the background; returns the job, whose progress the contracts page shows.
    Refused at once (nothing kept) when the file is too large or identical to a file the body
    already loaded; whether it is readable is found by the job, which reports the reason."""
    from infuse.jobs.services import job_start

    from .tasks import contract_import

    _require_contract_change(actor, body)
    if len(content) > MAX_CONTRACT_FILE_BYTES:
        raise ContractImportError(translate_problem(_too_large()))
    digest, standing = _loaded_before(body, content)
    if standing is not None:
        raise ContractImportError(
            _("%(file)s holds the same data as %(earlier)s, loaded before: nothing changed.")
            % {"file": Path(file_name).name, "earlier": standing.file_name}
        )
    name = Path(file_name).name[:255] or "releases.json"
    job = job_start(
        actor=actor,
        kind=CONTRACT_IMPORT_JOB,
        label=name,
        task=contract_import,
        body=body,
        body_id=body.pk,
        file_name=name,
        visibility=visibility,
    )
    default_storage.save(staged_upload_name(job.pk), ContentFile(content))
    audit_record(
        actor=actor,
        action="procurement.contract_import_start",
        target=job,
        body=body,
        after={"file_name": name, "sha256": digest, "bytes": len(content)},
    )
    return job


@unaudited(reason="reads the staged upload; the import it calls is audited")
def contract_import_staged(
    *, actor: Any, job_id: Any, body: Any, file_name: str, visibility: str, progress: Any
) -> ContractFile:
    """The background half of :func:`contract_import_start`: read, merge and store the staged
    file (OCDS when it is JSON, else a contracts register), then remove it whatever happened."""
    staged = staged_upload_name(job_id)
    try:
        with default_storage.open(staged, "rb") as handle:
            content = handle.read()
        progress(1, 3, "reading")
        if not looks_like_json(content):
            return register_import(
                actor=actor,
                body=body,
                file_name=file_name,
                content=content,
                visibility=visibility,
            )
        parsed = ocds_file_read(content)
        progress(2, 3, "merging")
        return ocds_import(
            actor=actor,
            body=body,
            file_name=file_name,
            content=content,
            visibility=visibility,
            parsed=parsed,
        )
    finally:
        default_storage.delete(staged)


def _loaded_before(body: Any, content: bytes) -> tuple[str, ContractFile | None]:
    """The file's SHA-256 and the body's contract file with the same bytes, if any (a file
    loaded twice changes nothing)."""
    digest = hashlib.sha256(content).hexdigest()
    return digest, ContractFile.objects.filter(owner_body=body, file_sha256=digest).first()


def _require_contract_change(actor: Any, body: Any) -> None:
    # ``None`` is the system itself (the demo, the command line); a person must be allowed.
    if actor is not None and not (
        may_open(actor, "procurement.contracts_import")
        and can(actor, Action.CHANGE, BodyWorkspace(owner_body_id=body.pk))
    ):
        raise PermissionDenied


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _decimal(value: float | None) -> Decimal | None:
    if value is None or value >= 1e13:
        return None
    return Decimal(str(round(value, 2)))


def _problem_json(problem: Any) -> dict[str, Any]:
    return {"code": problem.code, "template": problem.template, "params": dict(problem.params)}


@audited
@transaction.atomic
def ocds_import(
    *,
    actor: Any,
    body: Any,
    file_name: str,
    content: bytes,
    visibility: str = Visibility.REGIONAL,
    parsed: OcdsFile | None = None,
) -> ContractFile:
    """Import one OCDS file for ``body``: keep it, store its releases, compile its contracts."""
    _require_contract_change(actor, body)
    ocds = parsed if parsed is not None else ocds_file_read(content)
    digest, standing = _loaded_before(body, content)
    if standing is not None:
        return standing
    contract_file = ContractFile(
        owner_body=body,
        visibility=visibility,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        file_name=Path(file_name).name[:255] or "releases.json",
        file_sha256=digest,
        kind=ocds.kind,
        json_lines=ocds.json_lines,
        encoding=ocds.encoding,
        releases_read=len(ocds.releases),
    )
    contract_file.upload.save(contract_file.file_name, ContentFile(content), save=False)
    contract_file.save()
    ContractRelease.objects.bulk_create(
        [
            ContractRelease(
                file=contract_file,
                owner_body=body,
                ocid=str(release["ocid"])[:200],
                release_id=str(release.get("id") or "")[:200],
                date=str(release.get("date") or "")[:40],
                data=release,
            )
            for release in ocds.releases
            if isinstance(release.get("ocid"), str) and release["ocid"]
        ],
        batch_size=1000,
    )
    problems = list(ocds.issues)
    # Compile each touched ocid from every release the body holds for it (deduplicated by
    # release id and date, so the same release in two files counts once), plus this file's
    # published compiled releases for ocids without releases.
    ocids = ocds.ocids()
    held: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for stored in ContractRelease.objects.filter(owner_body=body, ocid__in=ocids).order_by("pk"):
        held.setdefault(stored.ocid, {})[(stored.release_id, stored.date)] = stored.data
    merged_input = OcdsFile(
        kind=ocds.kind,
        json_lines=ocds.json_lines,
        encoding=ocds.encoding,
        version=ocds.version,
        releases=[release for ocid in ocids for release in held.get(ocid, {}).values()],
        published_compiled=ocds.published_compiled,
    )
    compiled, merge_problems = compile_releases(merged_input)
    problems.extend(merge_problems)
    for release in compiled:
        summary = summarise(release)
        ContractRecord.objects.update_or_create(
            owner_body=body,
            ocid=summary.ocid[:200],
            defaults={
                "visibility": visibility,
                "source_file": contract_file,
                "buyer": summary.buyer[:500],
                "title": summary.title[:1000],
                "description": summary.description,
                "cpv": summary.cpv[:20],
                "value": _decimal(summary.value),
                "currency": summary.currency[:3],
                "suppliers": list(summary.suppliers),
                "tender_start": _date(summary.tender_start),
                "tender_end": _date(summary.tender_end),
                "contract_start": _date(summary.contract_start),
                "contract_end": _date(summary.contract_end),
                "status": summary.status[:40],
                "compiled": release,
            },
        )
    contract_file.contracts_read = len(compiled)
    contract_file.problems = [_problem_json(problem) for problem in problems][:2000]
    contract_file.save(update_fields=["contracts_read", "problems", "updated_at"])
    audit_record(
        actor=actor,
        action="procurement.ocds_import",
        target=contract_file,
        body=body,
        after={
            "file_name": contract_file.file_name,
            "sha256": digest,
            "kind": ocds.kind,
            "releases": len(ocds.releases),
            "contracts": len(compiled),
            "problems": len(problems),
        },
    )
    transaction.on_commit(lambda: contract_selectors.compiled_releases_path(body))
    return contract_file


# --- contracts registers (CSV or spreadsheet) --------------------------------------------------


@unaudited(reason="reads a file into memory; writes nothing")
def register_file_read(content: bytes) -> RegisterRead:
    """Read a contracts register or raise :class:`ContractImportError` in the user's language."""
    if len(content) > MAX_CONTRACT_FILE_BYTES:
        raise ContractImportError(translate_problem(_too_large()))
    try:
        return read_register(content)
    except RegisterFileError as error:
        raise ContractImportError(translate_problem(error.problem)) from error


@audited
@transaction.atomic
def register_import(
    *,
    actor: Any,
    body: Any,
    file_name: str,
    content: bytes,
    visibility: str = Visibility.REGIONAL,
    parsed: RegisterRead | None = None,
) -> ContractFile:
    """Import one contracts register for ``body``: keep it, and make (or update) one contract
    record per line, keyed ``register-<body code>-<reference>`` (see
    :func:`~.register_reading.assign_ocids`), so next month's register updates the same
    contracts. All or nothing; the same file twice changes nothing."""
    _require_contract_change(actor, body)
    register = parsed if parsed is not None else register_file_read(content)
    digest, standing = _loaded_before(body, content)
    if standing is not None:
        return standing
    contract_file = ContractFile(
        owner_body=body,
        visibility=visibility,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        file_name=Path(file_name).name[:255] or "register.csv",
        file_sha256=digest,
        kind=ContractFile.Kind.REGISTER,
        encoding=(register.encoding or "")[:16],
        releases_read=len(register.rows) + len(register.rejected),
    )
    contract_file.upload.save(contract_file.file_name, ContentFile(content), save=False)
    contract_file.save()
    keyed = assign_ocids(register.rows, body.code)
    for ocid, row in keyed:
        compiled = compiled_release(row, ocid, buyer=str(body.name_en))
        summary = summarise(compiled)
        ContractRecord.objects.update_or_create(
            owner_body=body,
            ocid=ocid,
            defaults={
                "visibility": visibility,
                "source_file": contract_file,
                "buyer": summary.buyer[:500],
                "title": summary.title[:1000],
                "description": summary.description,
                "cpv": summary.cpv[:20],
                "value": _decimal(summary.value),
                "currency": "GBP",
                "suppliers": list(summary.suppliers),
                "tender_start": None,
                "tender_end": None,
                "contract_start": row.start,
                "contract_end": row.contract_end,
                "status": "",
                "compiled": compiled,
            },
        )
    problems = register.problems()
    contract_file.contracts_read = len(keyed)
    contract_file.problems = [_problem_json(problem) for problem in problems][:2000]
    contract_file.save(update_fields=["contracts_read", "problems", "updated_at"])
    audit_record(
        actor=actor,
        action="procurement.register_import",
        target=contract_file,
        body=body,
        after={
            "file_name": contract_file.file_name,
            "sha256": digest,
            "kind": ContractFile.Kind.REGISTER,
            "rows": len(register.rows),
            "rejected": len(register.rejected),
            "contracts": len(keyed),
            "problems": len(problems),
        },
    )
    transaction.on_commit(lambda: contract_selectors.compiled_releases_path(body))
    return contract_file
