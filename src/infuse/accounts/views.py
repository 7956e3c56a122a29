"""Sign in and out, password reset, profile and API tokens. Thin: services do the writing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.http import require_POST

from infuse.web.language import language_cookie_set, url_in_language

from . import selectors, services
from .forms import ApiTokenForm, LanguagePreferenceForm, SignInForm
from .models import ApiToken
from .policy import page_rule, signed_in_user


@method_decorator(page_rule("public"), name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        # Continue in the language the user chose before, wherever they were heading.
        target = url_in_language(response["Location"], user.preferred_language)
        response = HttpResponseRedirect(target)
        language_cookie_set(response, user.preferred_language)
        return response


@method_decorator(page_rule("public"), name="dispatch")
class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@method_decorator(page_rule("public"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")


@method_decorator(page_rule("public"), name="dispatch")
class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


@method_decorator(page_rule("public"), name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        services.user_set_password(
            actor=form.user,
            user=form.user,
            password=form.cleaned_data["new_password1"],
            reason="reset by email link",
        )
        # The service saved the password; let Django finish (invalidate the link, redirect).
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


@method_decorator(page_rule("public"), name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@page_rule("signed_in")
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = LanguagePreferenceForm(
        request.POST or None, initial={"preferred_language": user.preferred_language}
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["preferred_language"]
        services.user_set_preferred_language(actor=user, user=user, language=language)
        with override(language):
            messages.success(request, _("Your language preference has been saved."))
        response = redirect(url_in_language(request.path, language))
        language_cookie_set(response, language)
        return response
    return render(request, "accounts/profile.html", {"form": form})


@page_rule("signed_in")
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _token, new_secret = services.api_token_create(
            actor=user, user=user, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": selectors.api_tokens_of(user), "new_secret": new_secret},
    )


@require_POST
@page_rule("signed_in")
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    # Another user's token id is simply not found: tokens are only ever the owner's business.
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("accounts:api-tokens")
