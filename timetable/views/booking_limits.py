"""The limits that keep one client from hoarding places: who the client is, and the rate of anonymous booking requests.

Both the booking pages and the booking API use them. The numbers come from the configuration
(see config.py and the README's Security section).
"""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address

from ..extensions import limiter
from ..services.booking import Client


def requesting_client() -> Client:
    """The visitor behind this request, by network address (behind trusted proxies, the forwarded one)."""
    config = current_app.config
    return Client.at(
        get_remote_address(),
        holds=config["BOOKING_HOLDS_PER_CLIENT"],
        waiting_per_email=config["BOOKING_WAITING_PER_EMAIL"],
        waiting_per_address=config["BOOKING_WAITING_PER_ADDRESS"],
    )


# One budget per network address, shared by every anonymous booking request that writes.
booking_rate_limit = limiter.shared_limit(
    lambda: current_app.config["BOOKING_RATE_LIMIT"], scope="booking",
    error_message="Too many booking requests from your network address. Wait a minute, then try again.",
)
