"""A record type used only by tests, so the permission policy is tested on a real table."""

from django.db import models

from infuse.accounts.models import OwnedRecord


class Note(OwnedRecord):
    title = models.CharField(max_length=100)

    class Meta:
        app_label = "policy_app"
