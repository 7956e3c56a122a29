from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class DatalabConfig(AppConfig):
    name = "infuse.datalab"
    verbose_name = gettext_lazy("Data Lab")
