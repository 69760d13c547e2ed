from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("cases/<uuid:public_id>/", views.case_view, name="case"),
    path("cases/<uuid:public_id>/reply/", views.reply_view, name="reply"),
    path("cases/<uuid:public_id>/note/", views.note_view, name="note"),
    path("cases/<uuid:public_id>/assign/", views.assign_view, name="assign"),
    path("cases/<uuid:public_id>/status/", views.status_view, name="status"),
    path("cases/<uuid:public_id>/priority/", views.priority_view, name="priority"),
    path("cases/<uuid:public_id>/revoke-links/", views.revoke_links_view, name="revoke_links"),
    path("attachments/<uuid:public_id>/", views.attachment_view, name="attachment"),
    path("outbox/", views.outbox_view, name="outbox"),
    path("outbox/<uuid:public_id>/retry/", views.outbox_retry_view, name="outbox_retry"),
]
