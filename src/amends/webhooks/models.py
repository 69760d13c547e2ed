from django.db import models


class WebhookEndpoint(models.Model):
    """An integrator's URL that hears about cases: each event is signed with the endpoint's secret."""

    public_id = models.UUIDField(unique=True, editable=False)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100)
    events = models.JSONField(default=list)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.url
