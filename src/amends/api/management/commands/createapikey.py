from django.core.management.base import BaseCommand, CommandError, CommandParser

from amends.api.services import apikey_create


class Command(BaseCommand):
    help = "Create an API key for an integrator. The key is printed once, as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="who or what will use the key, e.g. 'shop backend'")

    def handle(self, *args: object, **options: str) -> None:
        name = options["name"].strip()
        if not name:
            raise CommandError("the key needs a name")
        record, key = apikey_create(name=name)
        self.stderr.write(f"Created API key {record.prefix} for {record.name!r}. Store it now: it is not shown again.")
        self.stdout.write(key)
