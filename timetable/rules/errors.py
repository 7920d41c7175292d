"""The rules core's errors: one family, all ValueErrors, each message naming the input and why."""

from __future__ import annotations


class RulesError(ValueError):
    """Base of every error the rules core raises on bad input.

    Views can catch this one type and show `str(error)` to the person who typed the input:
    messages name the offending value (a week, a rule, a parameter) and what was expected.
    """


class InvalidWeek(RulesError):
    """A value is not an ISO year-week, e.g. "2026-W00: week numbers start at 1"."""


class InvalidRange(RulesError):
    """A week range (of a rule or of a paint) starts after it ends."""


class InvalidStripe(RulesError):
    """A list of rules cannot be a stripe: a non-rule in it, a missing or repeated id."""


class OverlappingRules(InvalidStripe):
    """Two rules of one stripe cover a common week; `first` and `second` are the rules."""

    def __init__(self, message: str, first: object = None, second: object = None) -> None:
        super().__init__(message)
        self.first = first
        self.second = second


class InvalidAction(RulesError):
    """An action cannot be built or carried out, e.g. an update of a rule that is not there."""


class InvalidValue(RulesError):
    """A parameter value does not fit its parameter, e.g. "start: '25:00' is not a time of day"."""


class UnknownParameter(RulesError):
    """A parameter name is not in the registry; the message lists the known ones."""
