"""Documents generated for an account (comparisons, proposals …), with where to download them."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from services.accounts.api.access import business_rules, cursor_key, page_body, visible_client
from services.accounts.api.schemas import AccountDocumentPageSchema
from services.accounts.domain.documents import client_documents
from shared.contracts.pagination import PageArgsSchema
from shared.kit.web import db_session

blp = Blueprint("documents", __name__, url_prefix="/api/v1", description="Documents of an account.")


@blp.route("/clients/<client_id>/documents")
class ClientDocuments(MethodView):
    @blp.arguments(PageArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, AccountDocumentPageSchema)
    def get(self, args, client_id):
        """The account's generated documents, oldest first; ``download_path`` is on the
        documents service."""
        client = visible_client(client_id)
        with business_rules():
            found = client_documents(db_session(), client.id, limit=args["limit"], after=cursor_key(args))
        return page_body(found)
