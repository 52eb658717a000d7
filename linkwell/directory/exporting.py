"""Writing the directory as ORUK JSON: a list of full service records, streamed in chunks."""

import json
from typing import TextIO

from .models import Service
from .records import service_record, with_children

CHUNK = 500


def export_services(out: TextIO, *, include_retired: bool = False) -> int:
    """Write every (live) service as one JSON array; `linkwell directory import` reads it back."""
    services = Service.objects.order_by("id")
    if not include_retired:
        services = services.filter(retired_at__isnull=True)
    count, last = 0, None
    out.write("[")
    while True:
        page = services if last is None else services.filter(id__gt=last)
        chunk = list(with_children(page)[:CHUNK])
        if not chunk:
            break
        for service in chunk:
            out.write(",\n" if count else "\n")
            out.write(json.dumps(service_record(service), ensure_ascii=False))
            count += 1
        last = chunk[-1].pk
    out.write("\n]\n" if count else "]\n")
    return count
