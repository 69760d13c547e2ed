"""Console: a batch of codes as a CSV download, for managers."""

from collections.abc import Iterable, Iterator

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, StreamingHttpResponse

from amends.cases.views import actor, staff_required

from .codes_csv import codes_export_csv
from .codes_service import BATCH_NAME, batch_codes

_LINES_PER_WRITE = 2_000  # a million lines are sent in 500 writes, not a million


def _blocks(lines: Iterable[str]) -> Iterator[bytes]:
    block: list[str] = []
    for line in lines:
        block.append(line)
        if len(block) == _LINES_PER_WRITE:
            yield "".join(block).encode()
            block.clear()
    if block:
        yield "".join(block).encode()


@staff_required
def batch_csv_view(request: HttpRequest, batch: str) -> StreamingHttpResponse:
    if not actor(request).is_manager:
        raise PermissionDenied
    if not BATCH_NAME.fullmatch(batch) or not batch_codes(batch=batch).exists():
        raise Http404("no such batch")
    response = StreamingHttpResponse(_blocks(codes_export_csv(batch)), content_type="text/csv; charset=utf-8")
    # The name is safe in the header: BATCH_NAME allows letters, digits, dots, dashes and underscores only.
    response["Content-Disposition"] = f'attachment; filename="codes-{batch}.csv"'
    response["Cache-Control"] = "no-store"  # the codes are worth money
    return response
