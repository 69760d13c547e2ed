from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("insights/", views.dashboard_view, name="dashboard"),
    path("insights/report/", views.report_view, name="report"),
    path("insights/<slug:name>.csv", views.csv_view, name="csv"),
]
