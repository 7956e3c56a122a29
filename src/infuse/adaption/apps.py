from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdaptionConfig(AppConfig):
    name = "infuse.adaption"
    verbose_name = _("Adaption Lab")
