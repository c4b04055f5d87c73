from django.urls import path

from sentinelle.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("contacts/", views.give_contact, name="contact"),
    path("notices/<int:notice_id>/sent/", views.mark_sent, name="mark-sent"),
    path("bulk/<int:platform_id>/", views.bulk_download, name="bulk"),
    path("coverage/", views.coverage, name="coverage"),
]
