"""File set-up checklists of an account, and completing their items."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.accounts.api.access import business_rules, commit, may_write_in, visible_client
from services.accounts.api.schemas import ChecklistItemSchema, ChecklistSchema
from services.accounts.domain.checklists import client_checklists, complete_item, get_item
from shared.kit.web import db_session, principal, visible_or_404

blp = Blueprint("checklists", __name__, url_prefix="/api/v1", description="File set-up checklists.")


@blp.route("/clients/<client_id>/checklists")
class ClientChecklists(MethodView):
    @blp.response(200, ChecklistSchema(many=True))
    def get(self, client_id):
        """The account's checklists (new account, then each renewal), with their items."""
        client = visible_client(client_id)
        return [checklist_view(c) for c in client_checklists(db_session(), client.id)]


@blp.route("/checklist-items/<item_id>/complete")
class CompleteItem(MethodView):
    @blp.response(200, ChecklistItemSchema)
    def post(self, item_id):
        """Mark an item done by the caller, now (409 when already done)."""
        with business_rules():
            item, client = get_item(db_session(), item_id)
        visible_or_404(client.program, "checklist item")
        may_write_in(client.program)
        with business_rules():
            complete_item(db_session(), principal().actor, item)
        commit()
        return item_view(item)


def item_view(item) -> dict:
    return {"id": item.id, "position": item.position, "key": item.key, "label": item.label,
            "done": item.done_at is not None, "done_by": item.done_by, "done_at": item.done_at}


def checklist_view(checklist) -> dict:
    items = [item_view(i) for i in checklist.items]
    return {"id": checklist.id, "client_id": checklist.client_id, "policy_id": checklist.policy_id,
            "kind": checklist.kind, "template": checklist.template, "created_by": checklist.created_by,
            "created_at": checklist.created_at, "done": sum(i["done"] for i in items), "total": len(items),
            "items": items}
