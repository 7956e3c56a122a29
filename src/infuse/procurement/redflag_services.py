"""Writes of the red-flag pages: a body's settings and the reviews of its flags.

Settings are one record per body, in Cardinal's INI format; saving checks them first
(:func:`redflag_settings.settings_check`), so a bad value is refused with a message and the
saved settings stay as they were. Reviews are only ever added: a later review of the same flag
supersedes the earlier one, which is kept, so nothing a person saved is lost.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from infuse.accounts.policy import can_work_red_flags, recorded_user
from infuse.audit.trail import audit_record, audited
from infuse.errors import UserFacingError

from .models import RedFlagReview, RedFlagSettings
from .redflag_settings import settings_check

NOTE_LIMIT = 4000


def _require_worker(actor: Any, body: Any) -> None:
    # ``actor=None`` is Infuse itself (the demo, an operator's command).
    if actor is not None and not can_work_red_flags(actor, body.pk):
        raise PermissionDenied


@audited
@transaction.atomic
def red_flag_settings_save(*, actor: Any, body: Any, text: str) -> RedFlagSettings | None:
    """Save ``body``'s red-flag settings (Cardinal's INI) after checking them; returns the
    record, or None when the text is what the body already uses (nothing is written)."""
    _require_worker(actor, body)
    from .contract_selectors import red_flag_settings_text

    text = text.replace("\r\n", "\n").strip() + "\n"
    settings_check(text)
    before = red_flag_settings_text(body)
    if before.strip() == text.strip():
        return None
    record = RedFlagSettings.objects.filter(owner_body=body).select_for_update().first()
    if record is None:
        record = RedFlagSettings.objects.create(
            owner_body=body, settings=text, created_by=recorded_user(actor)
        )
    else:
        record.settings = text
        record.save(update_fields=["settings", "updated_at"])
    audit_record(
        actor=actor,
        action="procurement.red_flag_settings_save",
        target=record,
        body=body,
        before={"settings": before},
        after={"settings": text},
    )
    return record


@audited
@transaction.atomic
def red_flag_review(
    *,
    actor: Any,
    body: Any,
    indicator: str,
    group: str,
    item_id: str,
    status: str,
    note: str = "",
    raised: list[dict[str, Any]] | None = None,
) -> RedFlagReview:
    """Record a review of one of ``body``'s flags (named as the engine emits it: indicator,
    group and item id). The flag must be raised now, under the body's settings; ``raised`` is
    the flags already worked out by the caller (otherwise they are worked out here)."""
    _require_worker(actor, body)
    if status not in RedFlagReview.Status.values:
        raise UserFacingError(_("Choose what the review found."))
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise UserFacingError(
            _("Keep the note under %(limit)s characters.") % {"limit": NOTE_LIMIT}
        )
    if raised is None:
        from .contract_selectors import contract_red_flags

        raised = contract_red_flags(body)
    if not any(
        (f["indicator"], f["group"], f["id"]) == (indicator, group, item_id) for f in raised
    ):
        raise UserFacingError(
            _(
                "That flag is not raised on this body's contracts (any more), "
                "so it cannot be reviewed."
            )
        )
    review = RedFlagReview.objects.create(
        owner_body=body,
        indicator=indicator,
        group=group,
        item_id=item_id,
        status=status,
        note=note,
        created_by=recorded_user(actor),
    )
    audit_record(
        actor=actor,
        action="procurement.red_flag_review",
        target=review,
        body=body,
        after={
            "indicator": indicator,
            "group": group,
            "item_id": item_id,
            "status": status,
            "note": note,
        },
    )
    return review
