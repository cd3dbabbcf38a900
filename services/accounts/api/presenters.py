"""Models as the API shows them (the FEIN masked for roles that do not need it)."""
from __future__ import annotations

from services.accounts.domain.fein import display_fein
from services.accounts.domain.snapshots import address_of, values_of
from services.accounts.models import Client, Contact, Location, Policy


def client_summary(client: Client, roles) -> dict:
    return {
        "id": client.id, "program": client.program, "name": client.name, "dba": client.dba,
        "status": client.status, "fein": display_fein(client.fein, roles),
        "account_manager": client.account_manager, "producer": client.producer, "assistant": client.assistant,
        "credentials": [{"kind": c.kind, "number": c.number, "expires_on": c.expires_on,
                         "classifications": list(c.classifications or [])} for c in client.credentials],
    }


def client_detail(client: Client, roles, checklists: list[dict]) -> dict:
    """The account; ``checklists`` is its file set-up progress (domain.checklists.progress)."""
    # A renewal term is always the same client's, so the chain is read from its own policies.
    renewals = {p.replaces_policy_id: p.id
                for p in sorted(client.policies, key=lambda p: (p.effective_date, p.id)) if p.replaces_policy_id}
    return client_summary(client, roles) | {
        "file_setup": {"done": sum(c["done"] for c in checklists), "total": sum(c["total"] for c in checklists),
                       "checklists": checklists},
        "entity_type": client.entity_type, "naics": client.naics, "sic": client.sic, "address": address_of(client),
        "created_at": client.created_at, "updated_at": client.updated_at,
        "contacts": [contact_view(c) for c in client.contacts],
        "locations": [location_view(loc) for loc in client.locations],
        "policies": [policy_view(p, renewals.get(p.id)) for p in client.policies],
    }


def contact_view(contact: Contact) -> dict:
    return {"id": contact.id, "client_id": contact.client_id, "name": contact.name, "title": contact.title,
            "roles": contact.roles, "email": contact.email, "phone": contact.phone,
            "preferred_channel": contact.preferred_channel, "primary": contact.is_primary, "notes": contact.notes,
            "created_at": contact.created_at, "updated_at": contact.updated_at}


def location_view(location: Location) -> dict:
    return {"id": location.id, "client_id": location.client_id, "number": location.number,
            "address": address_of(location), "description": location.description, "occupancy": location.occupancy,
            "values": values_of(location), "employee_count": location.employee_count,
            "primary": location.is_primary, "mailing": location.is_mailing,
            "created_at": location.created_at, "updated_at": location.updated_at}


def policy_view(policy: Policy, renewal_policy_id: str | None = None) -> dict:
    """The term; ``renewal_policy_id``: the term renewing it, when one is recorded."""
    return {
        "id": policy.id, "client_id": policy.client_id, "program": policy.client.program,
        "line_of_business": policy.line_of_business, "policy_number": policy.policy_number,
        "market": {"market_id": policy.market_id, "carrier_name": policy.carrier_name,
                   "naic_code": policy.naic_code, "admitted": policy.admitted, "wholesaler": policy.wholesaler},
        "period": {"effective_date": policy.effective_date, "expiration_date": policy.expiration_date},
        "status": policy.status, "premium": {"amount": policy.premium_amount, "currency": policy.premium_currency},
        "coverages": policy.coverages, "replaces_policy_id": policy.replaces_policy_id,
        "renewal_policy_id": renewal_policy_id,
        "bind_id": policy.bind_id, "bound_quote_id": policy.bound_quote_id,
        "cancellation": _cancellation(policy),
        "created_at": policy.created_at, "updated_at": policy.updated_at,
    }


def _cancellation(policy: Policy) -> dict | None:
    if policy.cancelled_at is None:
        return None
    return {"reason": policy.cancellation_reason, "requested_by": policy.cancellation_requested_by,
            "notice_date": policy.cancellation_notice_date, "effective_date": policy.cancellation_effective_date,
            "cancelled_by": policy.cancelled_by, "cancelled_at": policy.cancelled_at}

