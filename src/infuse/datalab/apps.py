from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DatalabConfig(AppConfig):
    name = "infuse.datalab"
    verbose_name = gettext_lazy("Data Lab")

    def ready(self) -> None:
        _register_profiling()
        _register_open_indicators()


def _register_profiling() -> None:
    # Datasets: profiling an uploaded file is an importer, so the hostile-file harness
    # feeds it bad files.
    from django.db import transaction

    from infuse.importers import Importer, importer_register

    from . import catalogue
    from .models import Dataset
    from .services import dataset_profile_keep, dataset_save

    example = (
        b"id,supplier,amount,paid_on\n1,Acme Ltd,120.50,2025-04-01\n2,Bwyd Da,99.00,2025-04-02\n"
    )

    @transaction.atomic
    def apply(actor: Any, body: Any, parsed: dict[str, Any]) -> Any:
        dataset = dataset_save(
            actor=actor,
            body=body,
            values={
                "title": parsed["file"] or "Profiled file",
                "description": "A profiled file.",
                "publisher": body.name,
                "contact_name": "Data Lab",
                "contact_email": "datalab@example.org",
                "licence": "none",
                "access_rights": "NON_PUBLIC",
                "frequency": "NEVER",
                "dcat_theme": "GOVE",
                "data_type": "shared",
                "data_kind": "administrative",
            },
        )
        return dataset_profile_keep(
            actor=actor, dataset=dataset, profile=parsed, file_name=parsed["file"]
        )

    importer_register(
        Importer(
            name="datalab.profile",
            parse=catalogue.profile_upload,
            apply=apply,
            example=lambda: (example, "payments.csv"),
            live_state=lambda: sorted(Dataset.objects.values_list("pk", "profile_file")),
        )
    )


def _register_open_indicators() -> None:
    # Indicator explorer (issue 8): open indicator files join the hostile-file harness.
    from infuse.importers import Importer, importer_register

    from .indicators import CO2_COLUMNS, CO2_FILE, Reading, read_known

    def apply(actor: Any, body: Any, parsed: Reading) -> Any:
        from .indicator_services import indicators_load

        return indicators_load(actor=actor, readings=[parsed])

    def example() -> tuple[bytes, str]:
        header = ["Year", "local-authority-code", "official-name", *CO2_COLUMNS]
        rows = [
            ["2019", "CRF", "City of Cardiff Council", *["1.5"] * len(CO2_COLUMNS)],
            ["2020", "NWP", "Newport City Council", *["2.5"] * len(CO2_COLUMNS)],
        ]
        text = "\n".join(",".join(f'"{c}"' for c in row) for row in [header, *rows])
        return text.encode(), CO2_FILE.removesuffix(".gz")

    def live_state() -> Any:
        from .models import IndicatorValue

        return sorted(
            IndicatorValue.objects.values_list("indicator__code", "area_code", "period", "value")
        )

    importer_register(
        Importer(
            name="datalab.open_indicators",
            parse=lambda content, name: read_known(content, name),
            apply=apply,
            example=example,
            live_state=live_state,
        )
    )
