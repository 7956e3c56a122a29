from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from infuse.accounts import services
from infuse.accounts.models import ApiToken, User
from infuse.audit.models import AuditEntry
from tests.conftest import CAERPHILLY


def test_user_create_is_audited_with_the_new_values(make_user: Any) -> None:
    admin = make_user("administrator", None)
    user = services.user_create(
        actor=admin,
        username="carys2",
        password="a long enough passphrase",
        role="analyst",
        body=None,
        first_name="Carys",
    )
    entry = AuditEntry.objects.get(action="accounts.user_create", target_id=str(user.pk))
    assert entry.actor == admin
    assert entry.after["role"] == "analyst"
    assert entry.before is None


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from django.conf import settings

    from infuse.config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    # The test run swaps in a fast hasher; production and local keep argon2 first.
    assert settings.PASSWORD_HASHERS != base.PASSWORD_HASHERS


@pytest.mark.parametrize("weak", ["short", "password1234", "123456789012"])
def test_weak_passwords_are_refused(reference: Any, weak: str) -> None:
    with pytest.raises(ValidationError):
        services.user_create(actor=None, username="weak", password=weak, role="analyst")
    assert not User.objects.filter(username="weak").exists()


def test_participants_must_belong_to_a_body(reference: Any) -> None:
    with pytest.raises(ValidationError):
        services.user_create(actor=None, username="lost", password="a long enough passphrase")
    assert not User.objects.filter(username="lost").exists()


def test_language_preference_is_saved_and_audited(make_user: Any) -> None:
    user = make_user("participant", CAERPHILLY)
    services.user_set_preferred_language(actor=user, user=user, language="cy")
    user.refresh_from_db()
    assert user.preferred_language == "cy"
    entry = AuditEntry.objects.get(action="accounts.user_set_preferred_language")
    assert entry.before == {"preferred_language": "en"}
    assert entry.after == {"preferred_language": "cy"}


def test_unknown_language_is_refused(make_user: Any) -> None:
    user = make_user()
    with pytest.raises(ValueError):
        services.user_set_preferred_language(actor=user, user=user, language="fr")


def test_token_secret_is_shown_once_and_only_its_hash_is_kept(make_user: Any) -> None:
    user = make_user()
    token, secret = services.api_token_create(actor=user, user=user, name="script")
    assert secret.startswith("inf_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.secret_hash, stored.prefix)
    assert services.api_token_authenticate(secret) == user
    assert services.api_token_authenticate(secret + "x") is None
    assert services.api_token_authenticate("not-a-token") is None


def test_revoked_tokens_and_closed_accounts_do_not_authenticate(make_user: Any) -> None:
    user = make_user()
    token, secret = services.api_token_create(actor=user, user=user, name="script")
    services.api_token_revoke(actor=user, token=token)
    assert services.api_token_authenticate(secret) is None
    _token2, secret2 = services.api_token_create(actor=user, user=user, name="other")
    user.is_active = False
    user.save()
    assert services.api_token_authenticate(secret2) is None
    actions = list(
        AuditEntry.objects.filter(target_type="accounts.apitoken").values_list("action", flat=True)
    )
    assert sorted(actions) == [
        "accounts.api_token_create",
        "accounts.api_token_create",
        "accounts.api_token_revoke",
    ]


def test_sign_in_locks_after_repeated_failures(reference: Any, settings: Any) -> None:
    for _ in range(settings.SIGN_IN_MAX_FAILURES - 1):
        services.sign_in_failure_record("Carys")
    assert not services.sign_in_locked("carys")
    services.sign_in_failure_record("carys")
    assert services.sign_in_locked("CARYS")
    services.sign_in_failures_clear("carys")
    assert not services.sign_in_locked("carys")
