from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sentinelle.api import api
from sentinelle.core import views as core_views
from sentinelle.members import views as member_views

admin.site.site_header = _("Sentinelle — back office")
admin.site.site_title = "Sentinelle"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", member_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", member_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="registration/password_reset_new.html"),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_finished.html"),
        name="password_reset_complete",
    ),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("healthz", core_views.healthz, name="healthz"),
    path("catalogue/", include("sentinelle.catalogue.urls")),
    path("investigations/", include("sentinelle.investigations.urls")),
    path("staff/", include("sentinelle.desk.urls")),
    path("account/", include("sentinelle.members.urls")),
    path("", include("sentinelle.stats.urls")),
    path("", include("sentinelle.takedowns.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# A database that is locked or gone: 503 with Retry-After (JSON under /api/), else Django's 500 page.
handler500 = "sentinelle.core.views.server_error"
handler400 = "sentinelle.core.views.bad_request"
