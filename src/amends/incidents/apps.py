from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "amends.incidents"
    label = "incidents"

    def ready(self) -> None:
        # Incidents build on triage, not the other way round: triage announces a triaged case and the matcher
        # listens (see amends.triage.hooks).
        from amends.triage.hooks import case_triaged

        from .hooks import link_on_arrival

        case_triaged.connect(link_on_arrival, dispatch_uid="incidents.link_on_arrival")
