"""Users, their roles and authority, API tokens, and what every owned record carries."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    FACILITATOR = "facilitator", _("Lab facilitator")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    ASSESSOR = "assessor", _("Challenge Fund assessor")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private to the owning body")
    REGIONAL = "regional", _("Shared with the region")
    PUBLIC = "public", _("Public")


class User(AbstractUser):
    """A person who signs in. They belong to one public body, or to the delivery team."""

    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.PARTICIPANT
    )
    body = models.ForeignKey(
        "reference.Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("public body"),
        help_text=_("Leave empty for members of the programme's delivery team."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="en"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="user_role_known"
            ),
            # A participant always takes part on behalf of a body.
            models.CheckConstraint(
                condition=~Q(role="participant") | Q(body__isnull=False),
                name="participant_has_body",
            ),
        ]

    @property
    def on_delivery_team(self) -> bool:
        return self.body_id is None

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class OwnedRecord(models.Model):
    """Fields every record that belongs to a body carries; the policy reads them."""

    owner_body = models.ForeignKey(
        "reference.Body",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owning body"),
    )
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ApiToken(models.Model):
    """A personal token for the REST API. Only a hash of the secret is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class SignInFailure(models.Model):
    """A failed sign-in, kept to throttle guessing. Pruned after the throttle window."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} at {self.at:%Y-%m-%d %H:%M}"
