"""Domain errors raised by services and mapped to HTTP responses by the views."""


class ServiceError(Exception):
    """A refusal that is the user's to fix; its message says what to do."""

    status_code = 400


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409
