from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amends.insights.services import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard's daily rollups from the cases (all days, or --start/--end, YYYY-MM-DD)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", help="first day to recompute")
        parser.add_argument("--end", help="last day to recompute")

    def handle(self, *args: object, **options: str | None) -> None:
        try:
            start = date.fromisoformat(options["start"]) if options["start"] else None
            end = date.fromisoformat(options["end"]) if options["end"] else None
        except ValueError as exc:
            raise CommandError(f"dates are YYYY-MM-DD: {exc}") from exc
        if start and end and start > end:
            raise CommandError("--start is after --end")
        days = rollups_rebuild(start=start, end=end)
        self.stdout.write(f"{days} day(s) of dashboard figures recomputed")
