import signal
import threading

from django.core.management.base import BaseCommand, CommandParser

from amends.intake.receiver import IntakeController


class Command(BaseCommand):
    help = "Receive complaints by e-mail: an SMTP (or, with --lmtp, LMTP) server your mail system forwards to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--lmtp", action="store_true", help="speak LMTP (for Postfix/Dovecot delivery)")

    def handle(self, *args: object, **options: object) -> None:
        controller = IntakeController(
            hostname=str(options["host"]),
            port=int(options["port"]),  # type: ignore[call-overload]
            lmtp=bool(options["lmtp"]),
        )
        controller.start()
        protocol = "LMTP" if options["lmtp"] else "SMTP"
        self.stdout.write(f"Receiving complaints by {protocol} on {options['host']}:{options['port']}")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        controller.stop()
