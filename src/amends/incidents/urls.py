from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("incidents/", views.list_view, name="list"),
    path("incidents/declare/", views.declare_view, name="declare"),
    path("incidents/promote/<uuid:cluster_id>/", views.promote_view, name="promote"),
    path("incidents/<uuid:public_id>/", views.detail_view, name="detail"),
    path("incidents/<uuid:public_id>/update/", views.update_view, name="update"),
    path("incidents/<uuid:public_id>/resolve/", views.resolve_view, name="resolve"),
    path("incidents/<uuid:public_id>/link/", views.link_view, name="link"),
    path("incidents/<uuid:public_id>/unlink/<uuid:case_id>/", views.unlink_view, name="unlink"),
    path("incidents/<uuid:public_id>/statement/<str:level>/<str:language>/", views.statement_view, name="statement"),
    path("incidents/<uuid:public_id>/publish/", views.publish_view, name="publish"),
]
