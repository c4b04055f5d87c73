from django.urls import path

from sentinelle.takedowns import views

app_name = "takedowns"
urlpatterns = [
    path("works/<int:work_id>/report/", views.report_links, name="report"),
    path("history/", views.history, name="history"),
    path("history.csv", views.history_csv, name="history-csv"),
    path("links/<int:link_id>/", views.link_detail, name="link"),
]
