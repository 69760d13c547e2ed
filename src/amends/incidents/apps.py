from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "amends.incidents"
    label = "incidents"

    def ready(self) -> None:
        # Incidents build on cases and triage, not the other way round: intake announces a triaged case through
        # cases.hooks and the matcher listens.
        from amends.cases import hooks

        from .hooks import link_on_arrival

        hooks.on_case_triaged(link_on_arrival)
