from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext, gettext_lazy


class AdaptionConfig(AppConfig):
    name = "infuse.adaption"
    verbose_name = gettext_lazy("Adaption Lab")

    def ready(self) -> None:
        from django.db import transaction

        from infuse.errors import UserFacingError
        from infuse.importers import Importer, importer_register

        from . import allocating
        from .messages import AdaptionInputError
        from .models import UnitList
        from .services import experiment_create, units_upload

        example = b"id,ward,age\nP1,W1,34\nP2,W1,51\nP3,W2,29\nP4,W2,62\n"

        def parse(content: bytes, file_name: str) -> tuple[bytes, str]:
            try:
                allocating.read_units(content)
            except AdaptionInputError as error:
                raise UserFacingError(error.message.text(gettext)) from error
            return content, file_name

        @transaction.atomic
        def apply(actor: Any, body: Any, parsed: tuple[bytes, str]) -> Any:
            experiment = experiment_create(actor=actor, body=body, title=parsed[1])
            return units_upload(
                actor=actor, experiment=experiment, file_name=parsed[1], content=parsed[0]
            )

        importer_register(
            Importer(
                name="adaption.units",
                parse=parse,
                apply=apply,
                example=lambda: (example, "units.csv"),
                live_state=lambda: sorted(UnitList.objects.values_list("pk", "file_sha256")),
            )
        )
