from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TendersConfig(AppConfig):
    name = "infuse.tenders"
    verbose_name = _("Tender evaluation")
    default_auto_field = "django.db.models.BigAutoField"
