from services.documents.api.documents import blp as documents_blp

BLUEPRINTS = [documents_blp]
