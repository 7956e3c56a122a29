"""Every write about accounts: one function per use case, each audited in one transaction."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from infuse.audit.trail import audit_record, audited, snapshot, unaudited

from .models import ApiToken, Role, SignInFailure, User

USER_AUDIT_FIELDS = ("username", "email", "first_name", "last_name", "role", "body", "is_active")
TOKEN_PREFIX = "inf_"


@audited
@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str = Role.PARTICIPANT,
    body: Any = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    preferred_language: str = "en",
    check_password: bool = True,
) -> User:
    """Create a user who belongs to ``body`` (``None`` for the delivery team).

    The password is checked against the password rules unless ``check_password`` is false
    (only the demo workspace, whose passwords are printed for newcomers, skips them).
    """
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        body=body,
        preferred_language=preferred_language,
        # Django's own admin site is not installed: every change goes through audited services.
        is_staff=False,
        is_superuser=False,
    )
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor,
        action="accounts.user_create",
        target=user,
        body=body,
        after=snapshot(user, USER_AUDIT_FIELDS),
    )
    return user


@audited
@transaction.atomic
def user_set_preferred_language(*, actor: Any, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unsupported language {language!r}")
    if user.preferred_language == language:
        return user
    before = {"preferred_language": user.preferred_language}
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    audit_record(
        actor=actor,
        action="accounts.user_set_preferred_language",
        target=user,
        body=user.body,
        before=before,
        after={"preferred_language": language},
    )
    return user


@audited
@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str, reason: str) -> User:
    """Set a new password (after a reset or a change); the audit keeps the reason, not the hash."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action="accounts.user_set_password",
        target=user,
        body=user.body,
        after={"reason": reason},
    )
    return user


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@audited
@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its secret, which is shown only once."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], prefix=secret[:12], secret_hash=_hash_secret(secret)
    )
    audit_record(
        actor=actor,
        action="accounts.api_token_create",
        target=token,
        body=user.body,
        after={"name": token.name, "prefix": token.prefix},
    )
    return token, secret


@audited
@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="accounts.api_token_revoke",
        target=token,
        body=token.user.body,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at},
    )
    return token


@unaudited(reason="records only when a token was last used")
def api_token_authenticate(secret: str) -> User | None:
    """The active user a token secret belongs to, or ``None``. Records when it was last used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__body")
        .filter(secret_hash=_hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Only touch the row once a minute: a busy script should not write on every request.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@unaudited(reason="reads the sign-in failure counter; writes nothing")
def sign_in_locked(username: str) -> bool:
    """Whether too many recent failures have locked sign-in for this account name."""
    since = timezone.now() - datetime.timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    recent = SignInFailure.objects.filter(username=username.lower(), at__gte=since).count()
    return recent >= settings.SIGN_IN_MAX_FAILURES


@unaudited(reason="a security counter of failed sign-ins, not a record")
def sign_in_failure_record(username: str) -> None:
    """Count a failed sign-in (a security event, not a change to a record, so not audited)."""
    window = datetime.timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW_SECONDS)
    SignInFailure.objects.filter(at__lt=timezone.now() - window).delete()
    SignInFailure.objects.create(username=username.lower()[:150])


@unaudited(reason="resets the security counter after a successful sign-in")
def sign_in_failures_clear(username: str) -> None:
    SignInFailure.objects.filter(username=username.lower()).delete()
