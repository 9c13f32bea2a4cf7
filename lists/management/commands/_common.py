"""What the lists commands share: finding the organisation, reading the file, a progress bar on stderr."""

import sys
import time
from pathlib import Path

from django.core.management.base import CommandError

from accounts.models import Organization

from ...reading import MappingError, UnreadableFile, apply_overrides, guess_mapping, read_table


def organization(slug: str) -> Organization:
    try:
        return Organization.objects.get(slug=slug)
    except Organization.DoesNotExist:
        known = ", ".join(Organization.objects.order_by("slug").values_list("slug", flat=True)) or "none"
        raise CommandError(f"No organisation has the slug '{slug}'. Known: {known}.") from None


def table_and_mapping(path: str, overrides: list[str]):
    """The file read and its columns mapped; one readable line (a CommandError) when it cannot be used."""
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file.")
    try:
        table = read_table(file, file.name)
        mapping = apply_overrides(table.headers, guess_mapping(table.headers), overrides or [])
    except (UnreadableFile, MappingError) as error:
        raise CommandError(f"{file.name}: {error}") from None
    return table, mapping


def progress_bar(done: int, total: int, *, width: int = 30, stream=None) -> None:
    stream = stream or sys.stderr
    filled = int(width * done / total) if total else width
    stream.write(f"\rmatching [{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows")
    stream.flush()


def wait_for_matching(released_list, *, help_out: bool, poll: float = 0.5, stream=None) -> None:
    """Show progress until every chunk of the list is done; with help_out, work pending chunks here too."""
    from ... import chunks

    stream = stream or sys.stderr
    while True:
        state = chunks.progress(released_list)
        progress_bar(state["done"], state["total"], stream=stream)
        if state["finished"]:
            stream.write("\n")
            return
        pending = chunks.next_pending(released_list.pk) if help_out else None
        if pending is not None:
            chunks.work_chunk(pending)
        else:
            time.sleep(poll)
