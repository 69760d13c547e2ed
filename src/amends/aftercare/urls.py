from django.urls import path

from . import views

app_name = "aftercare"
urlpatterns = [
    # The customer's one-click survey link: GET records the score it carries, POST adds the rest.
    path("survey/<str:token>/", views.answer_view, name="answer"),
    path("status/<uuid:public_id>/survey/", views.status_answer_view, name="status_answer"),
    path("console/cases/<uuid:public_id>/root-cause/", views.record_view, name="record"),
    path("console/root-causes/", views.root_causes_view, name="root_causes"),
    path("console/root-causes/<uuid:public_id>/actions/", views.action_add_view, name="action_add"),
    path("console/actions/", views.actions_view, name="actions"),
    path("console/actions/<uuid:public_id>/advance/", views.action_advance_view, name="action_advance"),
    path("console/aftercare/", views.settings_view, name="settings"),
    path("console/advocates/", views.advocates_view, name="advocates"),
    path("console/advocates/<uuid:public_id>/act/", views.advocate_act_view, name="advocate_act"),
]
