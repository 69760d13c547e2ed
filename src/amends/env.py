"""Typed access to environment variables that fails loudly on bad values.

Settings are read once at start-up; a typo in a variable name or value must stop the process with a message
that names the variable, not fall back silently to a default (healthchecks does the same).
"""

import builtins
import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

# Every variable amends reads. An AMENDS_* variable that is not listed here is a typo and stops start-up.
KNOWN = {
    "AMENDS_PRODUCTION",
    "AMENDS_DEBUG",
    "AMENDS_DATA_DIR",
    "AMENDS_SECRET_KEY",
    "AMENDS_ALLOWED_HOSTS",
    "AMENDS_BASE_URL",
    "AMENDS_TASK_BACKEND",
    "AMENDS_REDIS_URL",
    "AMENDS_EMAIL_HOST",
    "AMENDS_EMAIL_PORT",
    "AMENDS_EMAIL_USER",
    "AMENDS_EMAIL_PASSWORD",
    "AMENDS_EMAIL_TLS",
    "AMENDS_EMAIL_SSL",
    "AMENDS_EMAIL_FROM",
    "AMENDS_OUTBOX_MAX_ATTEMPTS",
    "AMENDS_OUTBOX_LEASE_SECONDS",
    "AMENDS_STATUS_LINK_DAYS",
    "AMENDS_WEBHOOK_ALLOWED_HOSTS",
    "AMENDS_WEBHOOK_TIMEOUT_SECONDS",
    "AMENDS_TRIAGE_EMBEDDINGS",
    "AMENDS_TIME_ZONE",
    "AMENDS_LANGUAGE",
    "AMENDS_MAIL_AUTHSERV_ID",
    "AMENDS_MAIL_REQUIRE_DMARC",
    "AMENDS_CURRENCY",
    "AMENDS_REMEDY_OFFER_DAYS",
    "AMENDS_CAMPAIGN_MAX_ROWS",
    "AMENDS_CAMPAIGN_LEASE_SECONDS",
}

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ
        unknown = sorted(k for k in self.environ if k.startswith("AMENDS_") and k not in KNOWN)
        if unknown:
            raise ImproperlyConfigured(
                f"Unknown setting(s) {', '.join(unknown)}; known AMENDS_* settings are: {', '.join(sorted(KNOWN))}"
            )

    def str(self, name: str, default: str = "") -> str:
        return self.environ.get(name, default).strip()

    def bool(self, name: builtins.str, default: builtins.bool = False) -> builtins.bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")

    def int(
        self, name: builtins.str, default: builtins.int, *, minimum: builtins.int = 0, maximum: builtins.int = 2**31
    ) -> builtins.int:
        raw = self.environ.get(name)
        if raw is None or not raw.strip():
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
        if not minimum <= value <= maximum:
            raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}; got {value}")
        return value

    def list(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]:
        raw = self.environ.get(name)
        if raw is None:
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]

    def choice(self, name: builtins.str, choices: tuple[builtins.str, ...], default: builtins.str) -> builtins.str:
        value = self.str(name, default).lower()
        if value not in choices:
            raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}")
        return value
