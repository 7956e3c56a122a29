from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DatalabConfig(AppConfig):
    name = "infuse.datalab"
    verbose_name = gettext_lazy("Data Lab")

    def ready(self) -> None:
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
                IndicatorValue.objects.values_list(
                    "indicator__code", "area_code", "period", "value"
                )
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
