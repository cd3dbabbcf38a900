from services.accounts.api import (
    absences, activities, checklists, clients, communications, contacts, documents, locations, losses, policies,
    renewals,
)

BLUEPRINTS = [clients.blp, contacts.blp, locations.blp, policies.blp, activities.blp, documents.blp, losses.blp,
              communications.blp, checklists.blp, absences.blp, renewals.blp]
