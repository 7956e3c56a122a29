from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ProgrammeConfig(AppConfig):
    name = "infuse.programme"
    verbose_name = gettext_lazy("Programme")
