from django.urls import path

from . import views

app_name = "playbooks"
urlpatterns = [
    path("playbooks/", views.playbooks_view, name="list"),
    path("playbooks/<slug:slug>/", views.playbook_view, name="playbook"),
    path("cases/<uuid:public_id>/checklist/<uuid:step_id>/", views.checklist_view, name="checklist"),
]
