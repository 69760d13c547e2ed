"""What triage tells the rest of amends, without knowing who listens.

`case_triaged` is sent once a new case is triaged, stored and clustered, after the intake's transaction committed
(kwargs: `case`, `record`, the CaseTriage). Apps that build on triage (incidents links a complaint to the incident
it belongs to) connect a receiver in their AppConfig.ready and call their own service from it: the arrow runs from
them to triage, never back. Receivers run with `send_robust`, so one that fails never loses a complaint."""

from django.dispatch import Signal

case_triaged = Signal()
