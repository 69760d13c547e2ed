from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("cases/<uuid:public_id>/", views.case_view, name="case"),
    path("cases/<uuid:public_id>/reply/", views.reply_view, name="reply"),
    path("cases/<uuid:public_id>/note/", views.note_view, name="note"),
    path("cases/<uuid:public_id>/update/", views.update_view, name="update"),
    path("bulk/", views.bulk_view, name="bulk"),
    path("views/", views.saved_view_create_view, name="saved_view_create"),
    path("views/<int:view_id>/delete/", views.saved_view_delete_view, name="saved_view_delete"),
    path("cases/<uuid:public_id>/revoke-links/", views.revoke_links_view, name="revoke_links"),
    path("attachments/<uuid:public_id>/", views.attachment_view, name="attachment"),
    path("outbox/", views.outbox_view, name="outbox"),
    path("outbox/<uuid:public_id>/retry/", views.outbox_retry_view, name="outbox_retry"),
]
