"""What every accounts view shares: the caller's programs, loading an object the caller
may see (else 404), turning business-rule refusals into problem details, and cursors."""
from __future__ import annotations

from contextlib import contextmanager

from marshmallow import ValidationError
from sqlalchemy.exc import DataError, IntegrityError

from services.accounts.domain.clients import get_client
from services.accounts.domain.errors import Conflict, Invalid, NotFound
from services.accounts.models import Client
from shared.contracts.pagination import decode_cursor, encode_cursor
from shared.kit.web import abort, db_session, principal, require_roles, visible_or_404

# Who may change accounts and policies (compliance reads; admin may do everything).
ACCOUNT_WRITERS = ("account_manager", "assistant", "producer", "program_manager")


def visible_programs() -> frozenset[str] | None:
    """The programs the caller sees; None when they see every program."""
    user = principal()
    if user.is_admin or "*" in user.programs:
        return None
    return user.programs


def visible_client(client_id: str, *, with_parts: bool = False) -> Client:
    """The client (404 outside the caller's programs); ``with_parts``: with its contacts
    and locations loaded."""
    with business_rules():
        client = get_client(db_session(), client_id, with_parts=with_parts)
    visible_or_404(client.program, "client")
    return client


def may_write_in(program: str) -> None:
    require_roles(*ACCOUNT_WRITERS)
    if not principal().can_see(program):
        abort(403, f"You do not work in program {program!r}.")


@contextmanager
def business_rules():
    try:
        yield
    except NotFound as exc:
        abort(404, exc.detail)
    except Conflict as exc:
        abort(409, exc.detail)
    except Invalid as exc:
        abort(422, exc.detail, errors=_stringify_keys(exc.errors or {}))
    except IntegrityError:
        # A unique key (policy number per market …) taken by a concurrent request.
        db_session().rollback()
        abort(409, "This conflicts with a record that already exists.")
    except DataError:
        _unstorable()


def commit() -> None:
    """Commit the request's session; a unique key that lost a race answers 409."""
    session = db_session()
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        abort(409, "This conflicts with a record that already exists.")
    except DataError:
        _unstorable()


def _unstorable() -> None:
    """The database refused a value the schemas let through (PostgreSQL stores no NUL
    character in text): bad input, not a server error."""
    db_session().rollback()
    abort(422, "A value cannot be stored: remove control characters such as NUL (\\u0000).")


def cursor_key(args: dict) -> list | None:
    if not args.get("after"):
        return None
    try:
        return decode_cursor(args["after"])
    except ValidationError as exc:
        abort(422, "Not a valid cursor.", errors=exc.normalized_messages())


def page_body(page, present=lambda item: item) -> dict:
    return {"items": [present(item) for item in page.items],
            "next_cursor": encode_cursor(page.next_key) if page.next_key else None}


def _stringify_keys(errors):
    if isinstance(errors, dict):
        return {str(k): _stringify_keys(v) for k, v in errors.items()}
    return errors
