"""Where aftercare listens to the rest of the product (filled in with the services)."""


def connect() -> None:
    return None
