"""Throttles on what a logged-in person does to their own account (see the README's Security section).

A stolen session must not be free to guess the current password on /account, nor to mint
tokens and calendar links without end. Counted per account, like the login's per-account limit.
"""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from ..extensions import limiter


def account_key() -> str:
    return f"user:{current_user.get_id()}"


def failed(response) -> bool:
    """Only a refused password change counts: the form answers a success with a redirect."""
    return response.status_code != 303


# Wrong current passwords on the password form.
password_change_limit = limiter.limit(
    lambda: current_app.config["ACCOUNT_PASSWORD_LIMIT"], key_func=account_key, methods=["POST"], scope="account-password",
    deduct_when=failed,
    error_message="Too many failed password changes for this account. Wait a few minutes, then try again.",
)

# One budget per account for making API tokens and private calendar links.
account_write_limit = limiter.shared_limit(
    lambda: current_app.config["ACCOUNT_WRITE_LIMIT"], scope="account-writes", key_func=account_key,
    error_message="Too many new tokens or calendar links for this account. Wait a minute, then try again.",
)
