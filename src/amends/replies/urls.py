from django.urls import path

from . import views

app_name = "replies"
urlpatterns = [
    path("cases/<uuid:public_id>/coach/", views.coach_view, name="coach"),
    path("cases/<uuid:public_id>/template/<str:purpose>/", views.template_insert_view, name="insert"),
    path("templates/", views.templates_view, name="templates"),
    path("templates/<int:pk>/", views.template_edit_view, name="template"),
]
