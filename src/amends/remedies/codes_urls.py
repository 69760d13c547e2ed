from django.urls import path

from . import codes_views

app_name = "codes"
urlpatterns = [
    path("codes/<str:batch>.csv", codes_views.batch_csv_view, name="batch_csv"),
]
