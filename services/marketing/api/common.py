"""What the resource modules share: domain refusals as problem details, keyset pages,
and the per-program view of submissions."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import and_, or_

from services.marketing.domain.errors import MarketingError
from services.marketing.domain.submissions import get_submission
from services.marketing.models import Submission
from shared.contracts.pagination import decode_cursor, encode_cursor
from shared.kit.web import abort, db_session, principal, visible_or_404

WRITERS = ("account_manager", "assistant", "producer", "program_manager", "admin")


@contextmanager
def domain_errors():
    try:
        yield
    except MarketingError as exc:
        abort(exc.status, exc.detail)


def visible_submission(submission_id: str) -> Submission:
    with domain_errors():
        submission = get_submission(db_session(), submission_id)
    visible_or_404(submission.program, "submission")
    return submission


def sees_everything() -> bool:
    user = principal()
    return user.is_admin or "*" in user.programs


def cursor(cursor_text: str | None, size: int) -> list | None:
    if cursor_text is None:
        return None
    try:
        key = decode_cursor(cursor_text)
    except ValidationError:
        key = None
    if key is None or len(key) != size:
        abort(400, "Not a valid cursor.")
    return key


def after_descending(created_column, id_column, key: list):
    """Rows after ``key`` in (created, id) descending order."""
    try:
        created = datetime.fromisoformat(key[0])
    except (TypeError, ValueError):
        abort(400, "Not a valid cursor.")
    return or_(created_column < created, and_(created_column == created, id_column < key[1]))


def after_ascending(created_column, id_column, key: list):
    try:
        created = datetime.fromisoformat(key[0])
    except (TypeError, ValueError):
        abort(400, "Not a valid cursor.")
    return or_(created_column > created, and_(created_column == created, id_column > key[1]))


def page(rows: list, limit: int, key_of) -> dict:
    """``rows`` fetched with ``limit + 1``: the page and the cursor of the next one."""
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(key_of(rows[-1])) if more and rows else None}
