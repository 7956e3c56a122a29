from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _bodies_example() -> tuple[bytes, str]:
    return (
        b"code,name_en,name_cy,kind,region\n"
        b"7A4,Cardiff and Vale University Health Board,Bwrdd Iechyd Caerdydd a'r Fro,"
        b"health_board,CCR\n",
        "bodies.csv",
    )


class ReferenceConfig(AppConfig):
    name = "infuse.reference"
    verbose_name = _("Reference data")

    def ready(self) -> None:
        from infuse.importers import Importer, importer_register

        from .loading import read_bodies_csv
        from .services import bodies_load

        def parse(content: bytes, filename: str) -> Any:
            return read_bodies_csv(content)

        def apply(actor: Any, body: Any, parsed: Any) -> Any:
            return bodies_load(actor=actor, bodies=parsed)

        importer_register(
            Importer(name="reference.bodies_csv", parse=parse, apply=apply, example=_bodies_example)
        )
