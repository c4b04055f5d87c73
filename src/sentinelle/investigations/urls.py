from django.urls import path

from sentinelle.investigations import views

app_name = "investigations"
urlpatterns = [
    path("", views.sites, name="sites"),
    path("dossiers/", views.dossier_list, name="dossiers"),
    path("dossiers/open/", views.open_dossier, name="open"),
    path("dossiers/<int:site_id>/", views.dossier, name="dossier"),
    path("dossiers/<int:site_id>/edit/", views.edit_dossier, name="edit"),
    path("dossiers/<int:site_id>/domains/", views.add_domain, name="add-domain"),
    path("dossiers/<int:site_id>/suggestions/<int:suggestion_id>/", views.decide_suggestion, name="suggestion"),
    path("dossiers/<int:site_id>/captures/", views.capture, name="capture"),
    path("dossiers/<int:site_id>/evidence/<int:evidence_id>/", views.evidence_detail, name="evidence"),
    path(
        "dossiers/<int:site_id>/evidence/<int:evidence_id>/files/<int:file_id>/",
        views.download_file,
        name="download",
    ),
    path("dossiers/<int:site_id>/damages/", views.damage, name="damages"),
    path("dossiers/<int:site_id>/export/", views.export, name="export"),
    path("dossiers/<int:site_id>/transfer/", views.transfer, name="transfer"),
]
