"""The status link in an incident apology: it leads the customer to their own status page, signed for their message
alone. Pure (no models), so the letter that prints it needs nothing else from the portal.

The link names the message (its public id) and carries an HMAC of it under the server's secret, with a purpose of
its own (an unsubscribe link's signature does not open a status page). How long it works is decided when it is
opened, from when the message was sent (portal.apology), so the link a letter prints is always the same."""

import base64
import hashlib
import hmac
import uuid

from django.conf import settings
from django.urls import reverse


def apology_signature(public_id: uuid.UUID) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), b"amends.portal.apology:" + public_id.bytes, hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:16]).decode().rstrip("=")


def apology_signature_valid(public_id: uuid.UUID, given: str) -> bool:
    return hmac.compare_digest(apology_signature(public_id), given or "")


def apology_link(public_id: uuid.UUID) -> str:
    """The absolute link a customer's apology carries to their own status page."""
    return settings.BASE_URL + reverse(
        "portal:apology_redeem", kwargs={"public_id": public_id, "sig": apology_signature(public_id)}
    )
