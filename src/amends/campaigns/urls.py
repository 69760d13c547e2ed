from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("incidents/<uuid:public_id>/campaign/", views.campaign_page, name="page"),
    path("incidents/<uuid:public_id>/campaign/settings/", views.campaign_settings, name="settings"),
    path("incidents/<uuid:public_id>/campaign/affected/upload/", views.affected_upload, name="upload"),
    path(
        "incidents/<uuid:public_id>/campaign/affected/complainants/", views.affected_complainants, name="complainants"
    ),
    path("incidents/<uuid:public_id>/campaign/affected/orders/", views.affected_orders, name="orders"),
    path(
        "incidents/<uuid:public_id>/campaign/affected/orders/count/", views.affected_orders_count, name="orders_count"
    ),
    path("incidents/<uuid:public_id>/campaign/affected.csv", views.affected_export, name="export"),
    path("incidents/<uuid:public_id>/campaign/preview/", views.campaign_preview, name="preview"),
    path("incidents/<uuid:public_id>/campaign/start/", views.campaign_start_view, name="start"),
    path("incidents/<uuid:public_id>/campaign/pause/", views.campaign_pause_view, name="pause"),
    path("incidents/<uuid:public_id>/campaign/resume/", views.campaign_resume_view, name="resume"),
    path("incidents/<uuid:public_id>/campaign/cancel/", views.campaign_cancel_view, name="cancel"),
    path("incidents/<uuid:public_id>/campaign/progress/", views.campaign_progress_view, name="progress"),
]
