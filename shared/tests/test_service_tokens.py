"""A service's own bearer token for calls to another service (auth.ServiceTokens): the
identity provider's by client credentials when configured (reused until shortly before it
expires), a locally minted one-program token under the development shared secret, and a
clear refusal when tokens are the provider's but no client credentials are set."""
from __future__ import annotations

import base64
import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest

from shared import testing
from shared.kit.auth import AuthError, ServiceTokens, decode_token


class _TokenEndpoint(BaseHTTPRequestHandler):
    """An identity provider's token endpoint: client ``svc`` / secret ``s3cret``."""

    issued: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        user, _, secret = base64.b64decode(self.headers["Authorization"].split()[1]).decode().partition(":")
        if (user, secret) != ("svc", "s3cret"):
            self._answer(401, {"error": "invalid_client", "error_description": "unknown client"})
            return
        self.issued.append(form)
        self._answer(200, {"access_token": f"provider-token-{len(self.issued)}", "token_type": "Bearer",
                           "expires_in": 300})

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args):
        pass


@pytest.fixture
def provider():
    _TokenEndpoint.issued = []
    server = HTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/oauth/token"
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(tmp_path):
    return testing.embedded_settings("marketing", tmp_path)


def test_the_providers_token_is_fetched_by_client_credentials_and_reused_until_near_expiry(settings, provider):
    now = [1000.0]
    configured = replace(settings, jwt_algorithms=("RS256",), jwks_url="https://idp.example/jwks",
                         service_token_url=provider, service_client_id="svc", service_client_secret="s3cret",
                         service_token_scope="documents:read")
    tokens = ServiceTokens(configured, "svc.marketing-worker", name="worker", clock=lambda: now[0])
    assert tokens.token("transportation") == "provider-token-1"
    now[0] += 200
    assert tokens.token("construction") == "provider-token-1"
    now[0] += 80  # within 30 s of the 300 s lifetime
    assert tokens.token("transportation") == "provider-token-2"
    assert _TokenEndpoint.issued[0] == {"grant_type": ["client_credentials"], "scope": ["documents:read"]}


def test_refused_client_credentials_say_why(settings, provider):
    configured = replace(settings, service_token_url=provider, service_client_id="svc", service_client_secret="wrong")
    with pytest.raises(AuthError, match="refused the service's client credentials: unknown client"):
        ServiceTokens(configured, "svc", name="worker").token("transportation")


def test_an_unreachable_provider_is_an_auth_error_not_a_crash(settings):
    configured = replace(settings, service_token_url="http://127.0.0.1:9/token", service_client_id="svc",
                         service_client_secret="s3cret")
    with pytest.raises(AuthError, match="unreachable"):
        ServiceTokens(configured, "svc", name="worker").token("transportation")


def test_under_the_shared_secret_a_short_lived_one_program_token_is_minted(settings):
    token = ServiceTokens(settings, "svc.marketing-worker", name="worker", roles=("assistant",)).token("transportation")
    principal = decode_token(token, settings)
    assert (principal.user_id, principal.roles, principal.programs) == (
        "svc.marketing-worker", frozenset({"assistant"}), frozenset({"transportation"}))


def test_provider_tokens_without_client_credentials_are_refused_with_what_to_configure(settings):
    configured = replace(settings, jwt_algorithms=("RS256",), jwt_public_key="-----BEGIN PUBLIC KEY-----")
    with pytest.raises(AuthError, match="SERVICE_TOKEN_URL"):
        ServiceTokens(configured, "svc", name="worker").token("transportation")
