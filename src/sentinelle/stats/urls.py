from django.urls import path

from sentinelle.stats import views

app_name = "stats"
urlpatterns = [
    path("dashboard/", views.member_dashboard, name="member"),
    path("stats/", views.society_dashboard, name="society"),
    path("stats/dsa/", views.dsa_report, name="dsa-report"),
    path("stats/dsa/<int:year>.<slug:fmt>", views.dsa_download, name="dsa-download"),
    path("stats/<slug:table>.<slug:fmt>", views.society_export, name="society-export"),
]
