from django.urls import path

from . import manage_views, slots_views, views

app_name = "remedies"
urlpatterns = [
    # The customer's choice link, mailed one per option: GET asks, POST chooses.
    path("r/<str:token>/", views.choose_view, name="choose"),
    path("console/remedies/policy/", manage_views.policy_view, name="policy"),
    path("console/remedies/policy/import/", manage_views.policy_import_view, name="policy_import"),
    path("console/remedies/policy/v<int:version>/", manage_views.policy_version_view, name="policy_version"),
    path("console/remedies/policy/v<int:version>/export/", manage_views.policy_export_view, name="policy_export"),
    path("console/remedies/rates/", manage_views.rates_view, name="rates"),
    path("console/remedies/budgets/", manage_views.budgets_view, name="budgets"),
    path("console/approvals/", views.approvals_view, name="approvals"),
    path("console/calendar/", slots_views.calendar_view, name="calendar"),
    path("console/calendar/add/", slots_views.slot_add_view, name="slot_add"),
    path("console/calendar/series/", slots_views.series_add_view, name="series_add"),
    path("console/calendar/<uuid:slot_id>/remove/", slots_views.slot_remove_view, name="slot_remove"),
    path("console/approvals/<uuid:remedy_id>/<str:decision>/", views.decide_view, name="decide"),
    path("console/cases/<uuid:public_id>/remedies/offer/", views.offer_view, name="offer_all"),
    path("console/cases/<uuid:public_id>/remedies/<uuid:remedy_id>/offer/", views.offer_view, name="offer"),
    path("console/cases/<uuid:public_id>/remedies/<uuid:remedy_id>/grant/", views.grant_view, name="grant"),
    path("console/cases/<uuid:public_id>/remedies/<uuid:remedy_id>/withdraw/", views.withdraw_view, name="withdraw"),
    path("console/cases/<uuid:public_id>/remedies/<uuid:remedy_id>/settle/", views.settle_view, name="settle"),
]
