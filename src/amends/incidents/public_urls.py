from django.urls import path

from . import public_views

app_name = "incident_pages"
urlpatterns = [
    path("incidents/", public_views.list_view, name="list"),
    path("incidents/<slug:slug>", public_views.page_view, name="page"),
    path("incidents/<slug:slug>/feed.atom", public_views.feed_view, name="feed"),
]
