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


class ServiceTokens:
    """Bearer tokens for a service's own calls to another service's API (the marketing
    worker downloading rendered documents, say).

    * With ``SERVICE_TOKEN_URL`` (and ``SERVICE_CLIENT_ID``, ``SERVICE_CLIENT_SECRET``,
      optionally ``SERVICE_TOKEN_SCOPE``): the OAuth 2.0 client credentials grant at the
      identity provider (RFC 6749, section 4.4), the token reused until shortly before it
      expires.  The provider decides the client's roles and programs.
    * Otherwise, when tokens are verified with the shared secret (HS256, the development
      default): a short-lived token minted here, seeing only the one program asked for.
    * Otherwise (the provider's RS256 tokens, no client credentials): :class:`AuthError`
      saying what to configure; a token signed with the shared secret would be refused.
    """

    REFRESH_MARGIN = 30.0  # seconds before expiry when a provider's token is fetched anew

    def __init__(self, settings: Settings, user_id: str, *, name: str, roles=("assistant",),
                 ttl: timedelta = timedelta(minutes=5), http=None, clock=time.time):
        self.settings, self.user_id, self.name, self.roles, self.ttl = settings, user_id, name, tuple(roles), ttl
        self._http = http
        self._clock = clock
        self._cached: tuple[str, float] | None = None

    def token(self, program: str) -> str:
        if self.settings.service_token_url:
            return self._provider_token()
        if "HS256" in self.settings.jwt_algorithms and not (self.settings.jwt_public_key or self.settings.jwks_url):
            return mint_token(self.settings, self.user_id, name=self.name, roles=self.roles, programs=(program,),
                              ttl=self.ttl)
        raise AuthError("Tokens are the identity provider's (RS256): set SERVICE_TOKEN_URL, SERVICE_CLIENT_ID and "
                        "SERVICE_CLIENT_SECRET so this service can obtain its own.")

    def _provider_token(self) -> str:
        if self._cached is not None and self._clock() < self._cached[1] - self.REFRESH_MARGIN:
            return self._cached[0]
        import requests

        settings = self.settings
        form = {"grant_type": "client_credentials"}
        if settings.service_token_scope:
            form["scope"] = settings.service_token_scope
        http = self._http or requests
        try:
            response = http.post(settings.service_token_url, data=form, timeout=15,
                                 auth=(settings.service_client_id or "", settings.service_client_secret or ""))
        except requests.RequestException as exc:
            raise AuthError(f"The identity provider's token endpoint is unreachable: {exc}", status=503) from None
        body = response.json() if "json" in response.headers.get("Content-Type", "") else {}
        if response.status_code != 200 or not isinstance(body.get("access_token"), str):
            reason = body.get("error_description") or body.get("error") or f"HTTP {response.status_code}"
            raise AuthError(f"The identity provider refused the service's client credentials: {reason}", status=503)
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, (int, float)) and expires_in > 0 else 60.0
        self._cached = (body["access_token"], self._clock() + lifetime)
        return body["access_token"]


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
