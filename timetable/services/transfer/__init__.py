"""Taking a whole timetable out and bringing it back: the `timetable/1` JSON document.

`document` builds the document (settings, calendar, bell times, resources, every stripe and
the change history); `replay` reads one back, refuses a bad file with the place it is wrong,
and rebuilds the timetable by replaying the history through the one write path. The format is
described in docs/transfer.md.
"""

FORMAT = "timetable/1"
# The largest document `replay` reads (the command line and any upload): 50 MiB.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def ref_ids(value) -> tuple[int, ...]:
    """The ids a reference parameter's value names: one id today, a set of ids for staff and groups later."""
    if value is None:
        return ()
    if isinstance(value, tuple | list | frozenset | set):
        return tuple(value)
    return (value,)


def map_refs(value, mapping):
    """The same value with every id it names replaced through `mapping` (KeyError for an unknown one)."""
    if value is None:
        return None
    if isinstance(value, tuple | list | frozenset | set):
        return type(value)(mapping[v] for v in value)
    return mapping[value]
