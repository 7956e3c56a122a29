"""Contract-data importers in the register, so the hostile-file tests cover them."""

from __future__ import annotations

import json
from typing import Any

EXAMPLE_OCDS = json.dumps(
    {
        "version": "1.1",
        "releases": [
            {
                "ocid": "ocds-example-1",
                "id": "1",
                "date": "2025-01-06T00:00:00Z",
                "tag": ["tender"],
                "buyer": {"name": "Example Council"},
                "tender": {
                    "title": "Grounds maintenance",
                    "classification": {"scheme": "CPV", "id": "77314000"},
                    "tenderPeriod": {"endDate": "2025-02-03T12:00:00Z"},
                },
            }
        ],
    }
).encode()


def register_contract_importers() -> None:
    from infuse.importers import Importer, importer_register

    from .contract_services import ocds_file_read, ocds_import
    from .models import ContractFile, ContractRecord

    def parse(content: bytes, file_name: str) -> tuple[bytes, str, Any]:
        return content, file_name, ocds_file_read(content)

    def apply(actor: Any, body: Any, parsed: tuple[bytes, str, Any]) -> Any:
        content, file_name, read = parsed
        return ocds_import(
            actor=actor, body=body, file_name=file_name, content=content, parsed=read
        )

    importer_register(
        Importer(
            name="procurement.ocds",
            parse=parse,
            apply=apply,
            example=lambda: (EXAMPLE_OCDS, "releases.json"),
            live_state=lambda: (
                sorted(ContractFile.objects.values_list("pk", "file_sha256")),
                sorted(ContractRecord.objects.values_list("pk", "ocid", "value")),
            ),
        )
    )
