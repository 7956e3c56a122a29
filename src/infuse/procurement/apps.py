from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

EXAMPLE_LEDGER = (
    b"Date,Supplier,Amount,Department,Invoice Number\n"
    b"01/04/2025,Acme Ltd,1200.00,Highways,INV-1\n"
    b"10/04/2025,Cwmni Cyf,560.50,Education,C-9\n"
    b"12/04/2025,Cwmni Cyf,-60.50,Education,C-9\n"
)

EXAMPLE_FACTOR_SET = (
    b"sic_code,description,ghg_kgco2e_per_gbp\n62,Computer programming,0.118\n"
    b"35.1,Electricity,1.359\n10.2 -3,Fish and fruit,0.832\n"
)
EXAMPLE_SUPPLIER_LIST = (
    b"Supplier Name,Company Number,VAT Number,Postcode,SME,SIC Codes\n"
    b"Acme Ltd,01234567,GB123456789,CF83 3GW,Yes,42110\n"
    b'Cwmni Cyf,,,NP20 2JG,No,"62020; 62090"\n'
)


@dataclass(frozen=True)
class ParsedLedger:
    content: bytes
    file_name: str


class ProcurementConfig(AppConfig):
    name = "infuse.procurement"
    verbose_name = _("Procurement Lab")

    def ready(self) -> None:
        from infuse.importers import Importer, importer_register
        from infuse.jobs.recovery import interruption_handler_register
        from infuse.warehouse.store import live_paths_register

        from .importing import LedgerFileError, import_ledger
        from .ledger_display import translate_problem
        from .models import SpendBatch
        from .services import SpendImportError, spend_batch_fail, spend_import_or_fail, spend_upload

        def parse(content: bytes, file_name: str) -> ParsedLedger:
            try:
                import_ledger(content, source_name=file_name, accept_uncertain_mapping=True)
            except LedgerFileError as error:
                raise SpendImportError(translate_problem(error.problem)) from error
            return ParsedLedger(content, file_name)

        def apply(actor: Any, body: Any, parsed: ParsedLedger) -> Any:
            batch = spend_upload(
                actor=actor, body=body, file_name=parsed.file_name, content=parsed.content
            )
            if batch.status != SpendBatch.Status.LIVE:
                batch = spend_import_or_fail(actor=actor, batch=batch)
            return batch

        def live_state() -> Any:
            return sorted(
                SpendBatch.objects.filter(status=SpendBatch.Status.LIVE).values_list(
                    "pk", "parquet_path", "total_amount"
                )
            )

        importer_register(
            Importer(
                name="procurement.spend_ledger",
                parse=parse,
                apply=apply,
                example=lambda: (EXAMPLE_LEDGER, "april.csv"),
                live_state=live_state,
            )
        )

        def interrupted(job: Any, reason: str) -> None:
            for batch in SpendBatch.objects.filter(job=job, status=SpendBatch.Status.WAITING):
                spend_batch_fail(actor=None, batch=batch, reason=reason)

        from .models import SupplierList
        from .services import supplier_list_upload
        from .supplier_list_reading import supplier_list_read

        def apply_supplier_list(actor: Any, body: Any, parsed: ParsedLedger) -> Any:
            return supplier_list_upload(
                actor=actor,
                body=body,
                file_name=parsed.file_name,
                content=parsed.content,
                parsed=supplier_list_read(parsed.content),
            )

        def parse_supplier_list(content: bytes, file_name: str) -> ParsedLedger:
            supplier_list_read(content)
            return ParsedLedger(content, file_name)

        importer_register(
            Importer(
                name="procurement.supplier_list",
                parse=parse_supplier_list,
                apply=apply_supplier_list,
                example=lambda: (EXAMPLE_SUPPLIER_LIST, "suppliers.csv"),
                live_state=lambda: sorted(
                    SupplierList.objects.filter(withdrawn_at__isnull=True).values_list(
                        "pk", "file_sha256", "rows_read"
                    )
                ),
            )
        )

        from .carbon import FactorSetError, read_factor_set
        from .models import CarbonFactorSet
        from .services import CarbonError, carbon_factor_set_add

        def parse_factor_set(content: bytes, file_name: str) -> ParsedLedger:
            try:
                read_factor_set(content, file_name)
            except FactorSetError as error:
                raise CarbonError(_(error.template) % error.params) from error
            return ParsedLedger(content, file_name)

        def apply_factor_set(actor: Any, body: Any, parsed: ParsedLedger) -> Any:
            return carbon_factor_set_add(
                actor=actor,
                file_name=parsed.file_name,
                content=parsed.content,
                name="Uploaded factors",
                version="1",
                base_year=2022,
                source="A test upload",
                licence="Open Government Licence v3.0",
            )

        importer_register(
            Importer(
                name="procurement.carbon_factor_set",
                parse=parse_factor_set,
                apply=apply_factor_set,
                example=lambda: (EXAMPLE_FACTOR_SET, "factors.csv"),
                live_state=lambda: sorted(
                    CarbonFactorSet.objects.values_list("pk", "file_sha256", "factors")
                ),
            )
        )

        from .contract_registration import register_contract_importers
        from .contract_services import staged_upload_name
        from .models import CONTRACT_IMPORT_JOB

        def contract_import_interrupted(job: Any, reason: str) -> None:
            # The import is one transaction, so only the waiting upload is left to remove.
            from django.core.files.storage import default_storage

            default_storage.delete(staged_upload_name(job.pk))

        register_contract_importers()
        interruption_handler_register("procurement.spend_import", interrupted)
        interruption_handler_register(CONTRACT_IMPORT_JOB, contract_import_interrupted)
        live_paths_register(
            lambda: SpendBatch.objects.filter(status=SpendBatch.Status.LIVE).values_list(
                "parquet_path", flat=True
            )
        )
        from infuse.warehouse.store import side_table_register

        from .categories import SIDE_TABLE
        from .category_selectors import live_category_paths

        side_table_register(SIDE_TABLE)
        live_paths_register(live_category_paths)
