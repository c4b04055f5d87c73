from django.urls import path

from sentinelle.members import views

app_name = "members"
urlpatterns = [
    path("", views.account, name="account"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke-token"),
]
