from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("t/<str:token>/", views.redeem, name="redeem"),
    path("a/<uuid:public_id>/<str:sig>/", views.apology_redeem, name="apology_redeem"),
    path("apology/<uuid:public_id>/", views.apology, name="apology"),
    path("<uuid:public_id>/", views.status, name="status"),
    path("<uuid:public_id>/message/", views.write, name="write"),
    path("<uuid:public_id>/verdict/", views.verdict, name="verdict"),
    path("<uuid:public_id>/remedies/other/", views.other_remedy, name="other_remedy"),
]
