from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("cases/<uuid:public_id>/category/", views.correct_view, name="correct"),
    path("taxonomy/", views.taxonomy_view, name="taxonomy"),
    path("clusters/", views.clusters_view, name="clusters"),
]
