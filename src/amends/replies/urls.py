from django.urls import path

from . import views

app_name = "replies"
urlpatterns = [path("cases/<uuid:public_id>/coach/", views.coach_view, name="coach")]
