"""The login page (rate-limited per client address), the member's account page (personal API tokens) and the
password reset pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sentinelle.core import ratelimit
from sentinelle.core.client import client_ip
from sentinelle.members import passwords, selectors, services
from sentinelle.members.forms import ApiTokenForm
from sentinelle.members.models import ApiToken, User


class LoginView(auth_views.LoginView):
    """Django's login, after one count of the client's address (SENTINELLE_LOGIN_RATE_LIMIT).

    django-axes locks an account after repeated failures from one address; this limit stops one
    address trying many accounts (password spraying) or hammering the password hasher.
    """

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            ratelimit.hit_login(request)
        except ratelimit.RateLimited as refused:
            response = render(
                request, "registration/too_many_attempts.html", {"retry_after": refused.retry_after}, status=429
            )
            response["Retry-After"] = str(refused.retry_after)
            return response
        return super().post(request, *args, **kwargs)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    new_token = None
    status = 200
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            _row, new_token = services.create_api_token(
                user, form.cleaned_data["name"], expires_in_days=form.cleaned_data["expires_in_days"]
            )
            form = ApiTokenForm()
        else:
            status = 400
    return render(
        request,
        "members/account.html",
        {
            "form": form,
            # Shown in this response only: it is never stored, so it cannot be shown again.
            "new_token": new_token,
            "tokens": selectors.api_tokens_of_user(user),
        },
        status=status,
    )


@require_POST
@login_required
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        token = services.revoke_api_token(user, token_id)
    except ApiToken.DoesNotExist:
        raise Http404("No such token") from None
    messages.success(request, _("The key “%(name)s” is revoked: it no longer opens the API.") % {"name": token.name})
    return HttpResponseRedirect(reverse("members:account"))


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view: the same "check your inbox" page whether the address has an account or not."""

    form_class = passwords.ResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = passwords.EMAIL_TEMPLATE
    subject_template_name = passwords.SUBJECT_TEMPLATE

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not passwords.client_may_ask(client_ip(request) or ""):
            return render(request, "registration/password_reset_limited.html", status=429)
        return super().post(request, *args, **kwargs)
