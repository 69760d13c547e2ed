from django.urls import path

from . import views

app_name = "apology"
urlpatterns = [
    path("<uuid:public_id>/<str:sig>/", views.apology_status, name="status"),
    path("unsubscribe/<uuid:public_id>/<str:sig>/", views.apology_unsubscribe, name="unsubscribe"),
]
