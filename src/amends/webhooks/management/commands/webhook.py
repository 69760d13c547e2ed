from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amends.webhooks.models import WebhookEndpoint
from amends.webhooks.services import EVENTS, webhook_endpoint_create, webhook_endpoint_disable


class Command(BaseCommand):
    help = "Manage webhook endpoints: add URL [--events ...], list, disable ID."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="register an endpoint; prints its signing secret as the last line")
        add.add_argument("url")
        add.add_argument("--events", default=",".join(EVENTS), help=f"comma-separated, from: {', '.join(EVENTS)}")
        add.add_argument("--description", default="")
        sub.add_parser("list")
        disable = sub.add_parser("disable")
        disable.add_argument("id")

    def handle(self, *args: object, **options: str) -> None:
        if options["action"] == "add":
            events = [e.strip() for e in options["events"].split(",") if e.strip()]
            try:
                endpoint = webhook_endpoint_create(
                    url=options["url"], events=events, description=options["description"]
                )
            except ValidationError as exc:
                raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
            self.stderr.write(f"Endpoint {endpoint.public_id} receives: {', '.join(endpoint.events)}")
            self.stdout.write(endpoint.secret)
        elif options["action"] == "list":
            for endpoint in WebhookEndpoint.objects.order_by("created_at"):
                state = "active" if endpoint.is_active else "disabled"
                self.stdout.write(f"{endpoint.public_id}  {state:8}  {endpoint.url}  {','.join(endpoint.events)}")
        else:
            try:
                found = WebhookEndpoint.objects.filter(public_id=options["id"]).first()
            except ValidationError:
                found = None
            if found is None:
                raise CommandError(f"no endpoint {options['id']}")
            webhook_endpoint_disable(endpoint=found)
            self.stdout.write(f"Disabled {found.url}")
