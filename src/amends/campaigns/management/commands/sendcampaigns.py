"""A worker that does nothing but send apology campaigns: for a large campaign, run a few of these beside the
ordinary worker (they share each campaign's rate through the database, and a killed one loses nothing)."""

import signal
import time
from types import FrameType

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from amends.campaigns.services import campaign_claim, campaign_deliver, campaign_senders_stop


class Command(BaseCommand):
    help = "Send the apology campaigns' messages, claiming batches within each campaign's rate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--exit-when-idle", type=float, default=0.0, help="stop after this many idle seconds")
        parser.add_argument("--idle-sleep", type=float, default=0.05, help="seconds to wait when nothing may go")
        parser.add_argument(
            "--connections",
            type=int,
            default=1,
            choices=range(1, 17),
            metavar="1-16",
            help="SMTP connections used at once; a kill repeats at most one message per connection",
        )

    def handle(self, *args: object, **options: object) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True  # the batch in hand is finished first

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        idle_since = time.monotonic()
        exit_after = float(options["exit_when_idle"])  # type: ignore[arg-type]
        sleep = float(options["idle_sleep"])  # type: ignore[arg-type]
        connections = int(options["connections"])  # type: ignore[call-overload]
        while not stopping:
            claimed = campaign_claim()
            if claimed is None:
                close_old_connections()
                if exit_after and time.monotonic() - idle_since > exit_after:
                    break
                time.sleep(sleep)
                continue
            campaign_deliver(*claimed, connections=connections)
            idle_since = time.monotonic()
        campaign_senders_stop()
