"""Domain errors raised by services; the views decide what each means over HTTP."""


class DomainError(Exception):
    """Something the service would not do; its message says what to do next."""


class ServiceError(DomainError):
    """A refusal that is the user's to fix: a value out of range, a closed occurrence, a full class."""


class InvalidField(ServiceError):
    """A refusal about one field of the request, which the answer names (`fields`, as marshmallow does)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.fields = {field: [message]}


class Conflict(ServiceError):
    """The request came too late: someone changed or took it in the meantime."""


class FieldConflict(InvalidField, Conflict):
    """A refusal about one field that the timetable's state causes, not the value (no terms yet, nothing to assign): 409."""


class LimitReached(ServiceError):
    """One client asked for more than its share (holds, waiting-list entries): refused, nothing written."""


class NotFound(DomainError):
    """What the request names does not exist here (or is not visible to the caller)."""
