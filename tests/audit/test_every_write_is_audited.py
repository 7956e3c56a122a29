"""Every service that writes leaves an audit entry, found by introspection, not a kept list."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType
from typing import Any

import pytest

import infuse
from infuse.audit.models import AuditEntry
from infuse.audit.trail import UnauditedWrite, audited


def service_modules() -> list[ModuleType]:
    modules = []
    for info in pkgutil.walk_packages(infuse.__path__, prefix="infuse."):
        # ``services`` and any ``<concept>_services`` module beside it hold writes.
        if info.name.rsplit(".", 1)[-1].endswith("services"):
            modules.append(importlib.import_module(info.name))
    return modules


def service_functions() -> list[tuple[str, Any]]:
    found = []
    for module in service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            found.append((f"{module.__name__}.{name}", function))
    return found


def test_services_are_found() -> None:
    names = {name for name, _ in service_functions()}
    # A sanity check that discovery works, not a list to keep up to date.
    assert "infuse.accounts.services.user_create" in names
    assert "infuse.procurement.contract_services.ocds_import" in names
    assert len(names) >= 10


@pytest.mark.parametrize(
    ("name", "function"), service_functions(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_service_function_declares_its_audit_policy(name: str, function: Any) -> None:
    policy = getattr(function, "__audit_policy__", None)
    assert policy in {"audited", "unaudited"}, (
        f"{name} has no audit mark: decorate it with @audited, or with "
        "@unaudited(reason=...) if it only keeps bookkeeping"
    )
    if policy == "unaudited":
        assert function.__audit_reason__.strip()


def test_an_audited_service_that_forgets_the_audit_entry_is_caught(reference: Any) -> None:
    from infuse.reference.models import Theme

    @audited
    def careless_rename() -> None:
        Theme.objects.filter(slug="decarbonisation").update(name_en="Renamed quietly")

    with pytest.raises(UnauditedWrite):
        careless_rename()


def test_an_audited_service_that_writes_nothing_needs_no_entry(reference: Any) -> None:
    from infuse.reference.services import reference_load

    before = AuditEntry.objects.count()
    reference_load(actor=None)
    assert AuditEntry.objects.count() == before
