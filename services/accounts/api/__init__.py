from services.accounts.api import (
    absences, activities, checklists, clients, communications, documents, losses, policies, renewals,
)

BLUEPRINTS = [clients.blp, policies.blp, activities.blp, documents.blp, losses.blp, communications.blp, checklists.blp,
              absences.blp, renewals.blp]
