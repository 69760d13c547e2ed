import math
from datetime import timedelta
from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .services import sign_in


def wait_text(wait: timedelta) -> str:
    """A wait as a person says it: seconds under a minute, else whole minutes, rounded up (abbreviated units need
    no plural forms in any of our languages)."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return _("%(n)s s") % {"n": seconds}
    return _("%(n)s min") % {"n": math.ceil(seconds / 60)}


class SignInForm(AuthenticationForm):
    """Django's sign-in form, checked through the throttled service instead of authenticate() directly."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("Your username and password did not match. Please try again."),
    }

    def clean(self) -> dict[str, Any]:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is None or not password or self.request is None:
            return self.cleaned_data
        outcome = sign_in(request=self.request, username=username, password=password)
        errors = []
        if outcome.checked and outcome.user is None:
            errors.append(self.get_invalid_login_error())
        if outcome.wait is not None:
            errors.append(
                ValidationError(
                    _(
                        "Too many failed sign-ins. To protect the account, signing in is paused: please try again "
                        "in %(wait)s."
                    )
                    % {"wait": wait_text(outcome.wait)},
                    code="paused",
                )
            )
        if errors:
            raise ValidationError(errors)
        assert outcome.user is not None  # noqa: S101 - checked, not paused, not refused
        self.confirm_login_allowed(outcome.user)
        self.user_cache = outcome.user
        return self.cleaned_data
