from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "amends.campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The incident page links the campaign and its ladder counts the customers the campaign names;
        # incidents never imports campaigns (see incidents.extensions).
        from amends.incidents.extensions import reach_counter_register, section_register

        from .incident_parts import affected_beyond_complainants, campaign_section

        reach_counter_register(affected_beyond_complainants)
        section_register(campaign_section)
