from django.urls import path

from sentinelle.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.my_works, name="my-works"),
]
