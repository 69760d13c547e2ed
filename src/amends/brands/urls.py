from django.urls import path

from . import views

app_name = "brands"
urlpatterns = [
    path("brands/", views.brands_view, name="list"),
    path("brands/<int:pk>/", views.brands_view, name="edit"),
]
