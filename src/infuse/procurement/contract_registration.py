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


EXAMPLE_REGISTER = (
    b"Contract Reference,Contract Title,Supplier Company Name,Company Number,"
    b"Total Contract Value (including extensions),Start Date,End Date,Current Expiry Date,"
    b"ProClass Classification\r\n"
    b"C001,Grounds maintenance,Taff Grounds Ltd,01234567,120000.00,2024-04-01,2026-03-31,"
    b"2027-03-31,101500\r\n"
    b"C002,School meals,Bwyd Da Cyf,07654321,250000.00,2023-09-01,2026-08-31,,150000\r\n"
)


def register_contract_importers() -> None:
    from infuse.importers import Importer, importer_register

    from .contract_services import (
        ocds_file_read,
        ocds_import,
        register_file_read,
        register_import,
    )
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

    def parse_register(content: bytes, file_name: str) -> tuple[bytes, str, Any]:
        return content, file_name, register_file_read(content)

    def apply_register(actor: Any, body: Any, parsed: tuple[bytes, str, Any]) -> Any:
        content, file_name, read = parsed
        return register_import(
            actor=actor, body=body, file_name=file_name, content=content, parsed=read
        )

    importer_register(
        Importer(
            name="procurement.contracts_register",
            parse=parse_register,
            apply=apply_register,
            example=lambda: (EXAMPLE_REGISTER, "contracts-register.csv"),
            live_state=lambda: (
                sorted(ContractFile.objects.values_list("pk", "file_sha256")),
                sorted(ContractRecord.objects.values_list("pk", "ocid", "value")),
            ),
        )
    )
