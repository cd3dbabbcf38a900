"""Bearer-token authentication (JWT via PyJWT, algorithms pinned) and the principal that
every endpoint checks against: user, roles and the programs (books of business) they see."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import time
from collections import OrderedDict

import jwt

from shared.kit.config import Settings

ROLES = ("account_manager", "assistant", "producer", "program_manager", "compliance", "admin")


class AuthError(Exception):
    def __init__(self, detail: str, status: int = 401):
        super().__init__(detail)
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    programs: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor(self) -> str:
        return f"user:{self.user_id}"

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def can_see(self, program: str | None) -> bool:
        return self.is_admin or "*" in self.programs or (program is not None and program in self.programs)

    def has_any_role(self, *roles: str) -> bool:
        return self.is_admin or bool(self.roles.intersection(roles))


_jwks_clients: dict[str, jwt.PyJWKClient] = {}


def _verification_key(token: str, settings: Settings):
    if settings.jwks_url:
        client = _jwks_clients.setdefault(settings.jwks_url, jwt.PyJWKClient(settings.jwks_url, cache_keys=True))
        return client.get_signing_key_from_jwt(token).key
    if settings.jwt_public_key:
        return settings.jwt_public_key
    return settings.jwt_secret


_verified: "OrderedDict[tuple[str, str], tuple[Principal, float]]" = OrderedDict()
_VERIFIED_MAX = 4096


def decode_token(token: str, settings: Settings) -> Principal:
    """Verify a bearer token.  A token already verified in this process is answered from
    a bounded cache until its own expiry (portals send the same token with every call)."""
    key = (settings.service, token)
    hit = _verified.get(key)
    if hit is not None:
        principal, expires_at = hit
        if time.time() < expires_at:
            return principal
        _verified.pop(key, None)
    principal, expires_at = _decode(token, settings)
    _verified[key] = (principal, expires_at)
    if len(_verified) > _VERIFIED_MAX:
        _verified.popitem(last=False)
    return principal


def _decode(token: str, settings: Settings) -> tuple[Principal, float]:
    try:
        key = _verification_key(token, settings)
        claims = jwt.decode(
            token, key, algorithms=list(settings.jwt_algorithms),
            audience=settings.jwt_audience, issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp"], "verify_aud": settings.jwt_audience is not None},
            leeway=10,
        )
    except jwt.ExpiredSignatureError:
        raise AuthError("The token has expired.") from None
    except jwt.PyJWTError as exc:
        raise AuthError(f"The token is not valid: {exc}.") from None
    roles = claims.get("roles") or []
    programs = claims.get("programs") or []
    if not isinstance(roles, list) or not isinstance(programs, list):
        raise AuthError("The token's roles and programs must be lists.")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AuthError(f"The token names unknown roles: {sorted(unknown)}.")
    principal = Principal(
        user_id=str(claims["sub"]), name=str(claims.get("name") or claims["sub"]),
        roles=frozenset(roles), programs=frozenset(str(p) for p in programs),
    )
    return principal, float(claims["exp"])


def mint_token(settings: Settings, user_id: str, *, name: str | None = None, roles=("account_manager",),
               programs=("*",), ttl: timedelta = timedelta(hours=12)) -> str:
    """Development tokens, signed with the shared secret (HS256)."""
    now = datetime.now(timezone.utc)
    claims = {"sub": user_id, "name": name or user_id, "roles": list(roles), "programs": list(programs),
              "iat": now, "exp": now + ttl}
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
