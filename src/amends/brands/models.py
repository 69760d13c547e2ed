from django.db import models
from django.db.models import Q


class BrandIdentity(models.Model):
    """The company voice every reply goes out under: never an agent's personal name or address (seed 002)."""

    name = models.CharField(max_length=100, unique=True)
    sender_name = models.CharField(max_length=100)
    sender_email = models.EmailField()
    signature = models.TextField(blank=True)
    public_handle = models.CharField(max_length=100, blank=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_brand")
        ]

    def __str__(self) -> str:
        return self.name
