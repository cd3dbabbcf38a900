from services.accounts.api import activities, clients, documents, policies

BLUEPRINTS = [clients.blp, policies.blp, activities.blp, documents.blp]
