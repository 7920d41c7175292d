"""The demo's accounts: an administrator, a scheduler of the clinic only, a viewer of the school.

All share the demo password. Run again (after `demo load --replace` rebuilt the timetables,
which takes their grants with them), it gives back the grants and leaves passwords alone.
"""

from __future__ import annotations

from sqlalchemy import select

from ..database import write_transaction
from ..models import Grant, Timetable, User
from .access import SCHEDULER, VIEWER
from .accounts import create_user, find_user
from .demo import CLINIC_SLUG, SCHOOL_SLUG

# username: (display name, administrator, {timetable slug: role})
DEMO_ACCOUNTS = {
    "scheduler": ("Demo scheduler", True, {}),
    "clinic": ("Clinic desk", False, {CLINIC_SLUG: SCHEDULER}),
    "staff": ("School staff", False, {SCHOOL_SLUG: VIEWER}),
}


def ensure_demo_accounts(password: str) -> list[str]:
    """Create the demo accounts that are missing and give back missing grants; return what was done, line by line."""
    said = []
    for username, (display_name, is_admin, roles) in DEMO_ACCOUNTS.items():
        if find_user(username) is None:
            create_user(username, password, display_name, is_admin=is_admin)
            rights = "administrator" if is_admin else ", ".join(f"{role} of {slug}" for slug, role in roles.items())
            said.append(f"Created the account “{username}” ({rights}) with the password “{password}”.")
        else:
            said.append(f"The account “{username}” already exists (password unchanged).")
        with write_transaction() as session:
            user = session.scalar(select(User).where(User.username == username))
            for slug, role in roles.items():
                timetable = session.scalar(select(Timetable).where(Timetable.slug == slug))
                if timetable is None:
                    continue
                grant = session.scalar(select(Grant).where(Grant.user_id == user.id, Grant.timetable_id == timetable.id))
                if grant is None:
                    session.add(Grant(user_id=user.id, timetable_id=timetable.id, role=role))
    return said
