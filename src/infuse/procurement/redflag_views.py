"""Red-flag pages of a body: its flags with their reviews, the flags by buyer and by supplier,
and its settings (thin views over :mod:`redflag_selectors` and :mod:`redflag_services`).

Reading is for the body's own members and the programme's overseers (``can_read_red_flags``);
saving settings and reviews is for the body's own members who author (``can_work_red_flags``).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from infuse.accounts.policy import can_work_red_flags, may_open, page_rule, signed_in_user
from infuse.errors import UserFacingError

from . import redflag_selectors as selectors
from .contract_selectors import red_flag_settings_text
from .redflag_forms import RedFlagReviewForm, RedFlagSettingsForm
from .redflag_services import red_flag_review, red_flag_settings_save
from .redflag_settings import DEFAULT_SETTINGS, indicator_settings, settings_check

PREFIX = re.compile(r"^f\d{1,5}$")


def _body(user: Any, body_code: str) -> Any:
    body = selectors.red_flag_body(user, body_code)
    if body is None:
        raise Http404
    return body


def _may_work(user: Any, body: Any) -> bool:
    return may_open(user, "procurement.red_flags_work") and can_work_red_flags(user, body.pk)


def _with_review_forms(
    request: HttpRequest, user: Any, body: Any, rows: list[dict[str, Any]]
) -> HttpResponse | None:
    """Attach a review form to each flag the user may review; on a POST, record the review
    and return the redirect, or keep the bound form (with its errors) on its flag."""
    may_work = _may_work(user, body)
    bound: RedFlagReviewForm | None = None
    if request.method == "POST":
        if not may_work:
            raise PermissionDenied
        prefix = request.POST.get("form_prefix", "")
        if not PREFIX.match(prefix):
            raise Http404
        bound = RedFlagReviewForm(request.POST, prefix=prefix)
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                red_flag_review(
                    actor=user,
                    body=body,
                    indicator=data["indicator"],
                    group=data["group"],
                    item_id=data["item_id"],
                    status=data["status"],
                    note=data["note"],
                )
            except UserFacingError as error:
                bound.add_error("status", str(error))
            else:
                messages.success(request, _("Your review is saved."))
                return redirect(request.get_full_path())
    if bound is not None and not any(f"f{n}" == bound.prefix for n in range(len(rows))):
        # The flag is no longer on this page (it changed since the page was drawn).
        messages.error(request, _("That flag is not on this page any more: look again."))
    for number, row in enumerate(rows):
        row["form"] = None
        if not may_work:
            continue
        prefix = f"f{number}"
        if bound is not None and bound.prefix == prefix:
            row["form"] = bound
        else:
            row["form"] = RedFlagReviewForm(prefix=prefix, flag=row)
        row["prefix"] = prefix
    return None


def _failed(rows: list[dict[str, Any]]) -> RedFlagReviewForm | None:
    """The review form that was sent back with errors, for the error summary."""
    return next((r["form"] for r in rows if r.get("form") is not None and r["form"].errors), None)


def _state(request: HttpRequest) -> str:
    state = request.GET.get("state", "")
    return state if state in selectors.STATES else ""


@page_rule("procurement.contracts")
def red_flags(request: HttpRequest, body_code: str) -> HttpResponse:
    user = signed_in_user(request)
    body = _body(user, body_code)
    state = _state(request)
    rows = selectors.flags_reviewed(body, state=state)
    done = _with_review_forms(request, user, body, rows)
    if done is not None:
        return done
    return render(
        request,
        "procurement/red_flags.html",
        {
            "body": body,
            "flags": rows,
            "state": state,
            "may_work": _may_work(user, body),
            "failed": _failed(rows),
        },
    )


@page_rule("procurement.contracts")
def red_flags_by_party(request: HttpRequest, body_code: str, party: str) -> HttpResponse:
    """Flags raised on buyers (``party="buyers"``) or suppliers, grouped by who was flagged;
    ``?id=`` narrows to one buyer or supplier (the contract page links to it)."""
    if party not in selectors.PARTY_GROUPS:
        raise Http404
    user = signed_in_user(request)
    body = _body(user, body_code)
    state = _state(request)
    rows = selectors.flags_reviewed(body, state=state, groups=selectors.PARTY_GROUPS[party])
    wanted = request.GET.get("id", "")
    if wanted:
        rows = [row for row in rows if row["id"] == wanted]
    done = _with_review_forms(request, user, body, rows)
    if done is not None:
        return done
    return render(
        request,
        "procurement/red_flags_by_party.html",
        {
            "body": body,
            "party": party,
            "parties": selectors.flags_by_party(rows),
            "count": len(rows),
            "wanted": wanted,
            "state": state,
            "may_work": _may_work(user, body),
            "failed": _failed(rows),
        },
    )


@page_rule("procurement.contracts")
def red_flag_settings(request: HttpRequest, body_code: str) -> HttpResponse:
    user = signed_in_user(request)
    body = _body(user, body_code)
    may_work = _may_work(user, body)
    current = red_flag_settings_text(body)
    form: RedFlagSettingsForm | None = None
    if request.method == "POST":
        if not may_work:
            raise PermissionDenied
        data = {"settings": request.POST.get("settings", "")}
        if "restore" in request.POST:
            data["settings"] = DEFAULT_SETTINGS
        form = RedFlagSettingsForm(data)
        if form.is_valid():
            try:
                saved = red_flag_settings_save(
                    actor=user, body=body, text=form.cleaned_data["settings"]
                )
            except UserFacingError as error:
                form.add_error("settings", str(error))
            else:
                if saved is None:
                    messages.info(request, _("The settings are unchanged."))
                else:
                    messages.success(
                        request, _("The settings are saved: the flags are worked out again.")
                    )
                return redirect("procurement:red-flag-settings", body_code=body.code)
    elif may_work:
        form = RedFlagSettingsForm(initial={"settings": current})
    return render(
        request,
        "procurement/red_flags_settings.html",
        {
            "body": body,
            "form": form,
            "current": current,
            "is_default": current.strip() == DEFAULT_SETTINGS.strip(),
            "indicators": indicator_settings(settings_check(current)),
        },
    )
