from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ChallengesConfig(AppConfig):
    name = "infuse.challenges"
    verbose_name = gettext_lazy("Challenge Fund")
