from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    class Tier(models.TextChoices):
        STANDARD = "standard", _("Standard")
        SILVER = "silver", _("Silver")
        GOLD = "gold", _("Gold")
        VIP = "vip", _("VIP")

    public_id = models.UUIDField(unique=True, editable=False)
    # Stored lower-cased by the services, so one person is one customer whatever case they type. Empty (NULL) for
    # someone known only by a handle on a public platform (see CustomerHandle); NULLs never collide.
    email = models.EmailField(unique=True, null=True, blank=True)
    name = models.CharField(max_length=200, blank=True)
    preferred_language = models.CharField(max_length=16, blank=True)
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    lifetime_value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name or self.email or str(self.public_id)


class Platform(models.TextChoices):
    """Where a public post can come from: the connectors amends knows."""

    INSTAGRAM = "instagram", _("Instagram")
    FACEBOOK = "facebook", _("Facebook")
    X = "x", _("X (Twitter)")
    TIKTOK = "tiktok", _("TikTok")
    GOOGLE_REVIEWS = "google_reviews", _("Google reviews")
    TRUSTPILOT = "trustpilot", _("Trustpilot")
    OTHER = "other", _("Another platform")


class CustomerHandle(models.Model):
    """A customer as a public platform knows them: a handle with no e-mail address behind it is still a customer.
    One handle on one platform is one customer, whatever case its owner typed it in (`handle_key`)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="handles")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    handle = models.CharField(max_length=100)
    handle_key = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "handle_key"], name="customer_handle_unique"),
            models.CheckConstraint(
                condition=models.Q(
                    platform__in=["instagram", "facebook", "x", "tiktok", "google_reviews", "trustpilot", "other"]
                ),
                name="customer_handle_platform_known",
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.handle} ({self.platform})"


class Order(models.Model):
    """An order the shop reported through the API: what the customer bought and when, so their value before and
    after a complaint is known (the base of "retained revenue")."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    # The shop's own order number; reporting the same one again changes nothing (the API is idempotent by it).
    external_id = models.CharField(max_length=100, unique=True)
    placed_at = models.DateTimeField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "placed_at"], name="order_customer_placed"),
            # An incident's affected customers are the ones who ordered in its window (campaigns.selection).
            models.Index(fields=["placed_at"], name="order_placed"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0), name="customer_order_value_not_negative"),
        ]

    def __str__(self) -> str:
        return self.external_id
