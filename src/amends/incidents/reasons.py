"""The ladder's reasons in words, in the reader's language."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amends.core.display import ladder_label

from .ladder import Reason


def _n(value: float) -> int:
    return int(value)


def reason_words(reason: Reason) -> str:
    level = ladder_label(reason.level.code)
    n, threshold = _n(reason.value), _n(reason.threshold)
    if reason.signal == "customers":
        said = ngettext(
            "%(n)s customer affected (%(threshold)s or more)",
            "%(n)s customers affected (%(threshold)s or more)",
            n,
        ) % {"n": n, "threshold": threshold}
    elif reason.signal == "public_complaints":
        said = ngettext(
            "%(n)s complaint on a public channel (%(threshold)s or more)",
            "%(n)s complaints on public channels (%(threshold)s or more)",
            n,
        ) % {"n": n, "threshold": threshold}
    elif reason.signal == "followers":
        said = _("an author with %(n)s followers (%(threshold)s or more)") % {"n": n, "threshold": threshold}
    elif reason.signal == "press":
        said = ngettext("%(n)s complaint mentions the press", "%(n)s complaints mention the press", n) % {"n": n}
    elif reason.signal == "legal":
        said = ngettext(
            "%(n)s complaint mentions a lawyer or a regulator (%(threshold)s or more)",
            "%(n)s complaints mention a lawyer or a regulator (%(threshold)s or more)",
            n,
        ) % {"n": n, "threshold": threshold}
    elif reason.signal == "duration":
        said = _("it has lasted %(hours)s hours (%(threshold)s or more)") % {
            "hours": round(reason.value, 1),
            "threshold": threshold,
        }
    else:
        return _("Few customers are affected and nothing about it is public: answer each one in private.")
    return _("%(reason)s: %(level)s") % {"reason": said, "level": level}
