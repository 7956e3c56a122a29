"""Every registered importer, fed hostile files and made to fail part-way.

The importers come from ``infuse.importers``: nothing here names one, so an importer added
later is covered as soon as it registers itself.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infuse.errors import UserFacingError
from infuse.importers import Importer, importers
from infuse.reference.models import Body
from infuse.warehouse.store import default_store, live_paths
from tests.conftest import CAERPHILLY

IMPORTERS = importers()
IDS = [i.name for i in IMPORTERS]


def test_importers_are_registered() -> None:
    assert IMPORTERS, "no importer registered: the register is not being filled"


def mutations(example: bytes) -> st.SearchStrategy[bytes]:
    """Files a careless export or a hostile user might produce, built from a valid one."""
    cut = st.integers(min_value=0, max_value=max(0, len(example) - 1))
    return st.one_of(
        st.binary(max_size=2048),
        cut.map(lambda i: example[:i]),  # truncated
        cut.map(lambda i: example[:i] + b"\x00\xff\xfe" + example[i:]),  # binary garbage inside
        st.just(example.decode("utf-8", "ignore").encode("utf-16")),  # wrong encoding
        st.just(b"\xef\xbb\xbf" + example),  # byte-order mark
        st.just(example.replace(b",", b";")),  # other delimiter
        st.just(example.replace(b"\n", b"\r")),  # old Mac line ends
        st.just(example + b"," * 500 + b"\n"),  # ragged, very wide row
        st.just(example + b"x" * 200_000 + b"\n"),  # enormous field (repr kept short below)
        st.text(max_size=500).map(lambda t: example + t.encode("utf-8", "surrogatepass")),
        st.lists(
            st.sampled_from([b"1", b"-", b"(3.5)", b"", b"NaN", b"1e308", b'"', b"\xa3"]),
            max_size=40,
        ).map(lambda parts: example + b",".join(parts) + b"\n"),  # mixed types
    )


@pytest.mark.parametrize("importer", IMPORTERS, ids=IDS)
def test_hostile_files_end_in_success_or_a_clear_message(
    importer: Importer, reference: Any
) -> None:
    content, filename = importer.example()

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(mutations(content))
    def check(data: bytes) -> None:
        try:
            importer.parse(data, filename)
        except UserFacingError as error:
            assert str(error).strip(), "an error with no message"
            assert "Traceback" not in str(error)

    check()


def database_fingerprint() -> str:
    """A digest of every row of every table Infuse owns (a failed import must not change it)."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table):
            if model._meta.app_label in {"sessions", "contenttypes", "auth"}:
                continue
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest.update(model._meta.db_table.encode())
            digest.update("\n".join(rows).encode())
    return digest.hexdigest()


class InjectedFault(RuntimeError):
    pass


@pytest.mark.parametrize("importer", IMPORTERS, ids=IDS)
@pytest.mark.django_db(transaction=True)
def test_a_failure_part_way_through_changes_nothing_and_the_next_import_works(
    importer: Importer, reference: Any
) -> None:
    body = Body.objects.get(code=CAERPHILLY)
    content, filename = importer.example()
    parsed = importer.parse(content, filename)
    before = state(importer)
    # Fail at each write in turn: the first, a middle one, the last.
    writes = {"count": 0}

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes["count"] += 1
        return execute(sql, params, many, context)

    # Count the writes of a successful run, then undo it.
    with transaction.atomic(), connection.execute_wrapper(count):
        importer.apply(None, body, importer.parse(content, filename))
        transaction.set_rollback(True)
    total_writes = writes["count"]
    assert total_writes > 0
    # The counting run was rolled back in the database; remove any file it published.
    default_store().collect_garbage(live_paths())
    assert state(importer) == before
    for fail_at in sorted({1, max(1, total_writes // 2), total_writes}):
        seen = {"count": 0}

        def fault(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                seen["count"] += 1
                if seen["count"] == fail_at:
                    raise InjectedFault(f"injected at write {fail_at}")
            return execute(sql, params, many, context)

        with pytest.raises(InjectedFault), connection.execute_wrapper(fault):
            importer.apply(None, body, parsed)
        assert state(importer) == before, f"write {fail_at} left a partial change"
    importer.apply(None, body, importer.parse(content, filename))
    assert state(importer) != before


def state(importer: Importer) -> Any:
    """What users see of an importer's data, and every file in the analytical store."""
    seen = importer.live_state() if importer.live_state else database_fingerprint()
    return seen, default_store().fingerprint()


@pytest.mark.parametrize("importer", IMPORTERS, ids=IDS)
@pytest.mark.django_db(transaction=True)
def test_a_failure_writing_the_analytical_store_changes_nothing(
    importer: Importer, reference: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infuse.warehouse.store import Store

    body = Body.objects.get(code=CAERPHILLY)
    content, filename = importer.example()
    before = state(importer)
    for method in ("stage", "publish"):

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise InjectedFault(f"the store failed in {method}")

        with monkeypatch.context() as patch:
            patch.setattr(Store, method, broken)
            try:
                importer.apply(None, body, importer.parse(content, filename))
            except InjectedFault:
                pass
            else:
                # This importer does not use the store: nothing to inject.
                return
        assert state(importer) == before, f"a failure in Store.{method} left a change"
    importer.apply(None, body, importer.parse(content, filename))
    assert state(importer) != before
