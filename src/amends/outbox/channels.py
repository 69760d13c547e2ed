"""Who delivers each kind of outbox row that is not an e-mail.

The outbox knows nothing of the apps that deliver through it: an app registers its deliverer when Django starts
(its AppConfig.ready), so the outbox depends on no app and no app circles back to it.
"""

from collections.abc import Callable

from .models import OutboxMessage

Deliverer = Callable[[list[OutboxMessage]], int]

_deliverers: dict[str, Deliverer] = {}


def deliverer_register(kind: str, deliver: Deliverer) -> None:
    _deliverers[kind] = deliver


def deliverer_for(kind: str) -> Deliverer | None:
    return _deliverers.get(kind)
