from django.db import models


class StatusLink(models.Model):
    """A link that lets a customer without an account see their case. Only a hash of its token is stored."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="status_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A link posted in a public reply is seen by everyone in the thread: the first browser to open it claims it
    # (claimed_at), and nobody after them gets in through it.
    single_use = models.BooleanField(default=False)
    claimed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"status link for case {self.case_id}"
