"""Engine settings per database and the write-transaction boundary every service uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .extensions import db

# Set while a service writes: on SQLite the transaction then starts with BEGIN IMMEDIATE,
# taking the database's write lock before the first read, so two writers serialize instead
# of both reading a stripe and then racing to change it.
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    if type(dbapi_connection).__module__.split(".")[0] not in {"sqlite3", "pysqlite2"}:
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


_FLUSHED = "timetable.flushed"


class UnsavedWrites(RuntimeError):
    """Code wrote to the session outside write_transaction and then asked for one."""


@event.listens_for(Session, "after_flush")
def _note_flush(session, flush_context) -> None:
    session.info[_FLUSHED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_flush(session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: nothing flushed remains
        session.info.pop(_FLUSHED, None)


def is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


@contextmanager
def write_transaction() -> Iterator:
    """Run the block in one transaction that commits on success and rolls back on error.

    Whatever read-only transaction the request had open is ended first, so that on SQLite
    the write lock is taken before this transaction reads anything. A transaction that holds
    writes is never ended here: committing it would save them outside any service's
    transaction, and rolling it back would lose them, so that is a programming error.
    """
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted or session.info.get(_FLUSHED):
            raise UnsavedWrites("write_transaction() opened while the session holds writes of its own; "
                                "make them inside the write transaction")
        session.rollback()
    token = _write_intent.set(True)
    try:
        with session.begin():
            yield session
    finally:
        _write_intent.reset(token)
