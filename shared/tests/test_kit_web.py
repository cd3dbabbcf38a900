"""The app factory every service uses: errors as RFC 9457 problems (never a 500 for bad
input), bearer tokens (missing, expired, forged, wrong algorithm), per-object 404,
correlation ids, health and metrics."""
from datetime import timedelta

import jwt
import pytest
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from shared import testing
from shared.contracts.base import ContractSchema, DecimalString
from shared.kit.auth import mint_token
from shared.kit.web import create_service_app, visible_or_404

blp = Blueprint("things", __name__, url_prefix="/api/v1/things")


class ThingSchema(ContractSchema):
    name = fields.String(required=True)
    premium = DecimalString(places=2, required=True)
    program = fields.String(load_default="transportation")


@blp.route("/")
class Things(MethodView):
    @blp.arguments(ThingSchema)
    @blp.response(201, ThingSchema)
    def post(self, thing):
        visible_or_404(thing["program"], "thing")
        return thing


@blp.route("/stored")
class StoredThing(MethodView):
    @blp.arguments(ThingSchema)
    @blp.response(201, ThingSchema)
    def post(self, thing):
        from sqlalchemy.exc import DataError

        if "\x00" in thing["name"]:
            # What PostgreSQL's driver raises for a NUL in text (SQLite would store it).
            raise DataError("INSERT INTO things ...", {}, ValueError("text fields cannot contain NUL (0x00) bytes"))
        return thing


@pytest.fixture
def settings(tmp_path):
    return testing.embedded_settings("kitweb", tmp_path)


@pytest.fixture
def client(settings):
    return create_service_app("kitweb", title="Kit test", blueprints=[blp], settings=settings).test_client()


@pytest.fixture
def auth(settings):
    token = mint_token(settings, "am.one", roles=["account_manager"], programs=["transportation"])
    return {"Authorization": f"Bearer {token}"}


def _is_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"].startswith("https://")
    return body


def test_valid_request_is_answered(client, auth):
    response = client.post("/api/v1/things/", json={"name": "a", "premium": "10.5"}, headers=auth)
    assert response.status_code == 201
    assert response.get_json()["premium"] == "10.50"


def test_missing_token_is_401_problem_with_challenge(client):
    response = client.post("/api/v1/things/", json={"name": "a", "premium": "1"})
    _is_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_refused(client, settings):
    token = mint_token(settings, "am.one", ttl=timedelta(seconds=-60))
    body = _is_problem(client.post("/api/v1/things/", json={}, headers={"Authorization": f"Bearer {token}"}), 401)
    assert "expired" in body["detail"]


@pytest.mark.parametrize("forge", ["wrong-secret", "alg-none", "garbage"])
def test_forged_tokens_are_refused(client, forge):
    claims = {"sub": "intruder", "roles": ["admin"], "programs": ["*"], "exp": 4102444800}
    token = {
        "wrong-secret": lambda: jwt.encode(claims, "not-the-secret-but-long-enough-for-hs256-xx", algorithm="HS256"),
        "alg-none": lambda: jwt.encode(claims, None, algorithm="none"),
        "garbage": lambda: "not.a.jwt",
    }[forge]()
    _is_problem(client.post("/api/v1/things/", json={}, headers={"Authorization": f"Bearer {token}"}), 401)


def test_malformed_json_is_400_problem(client, auth):
    response = client.post("/api/v1/things/", data="{nope", headers={**auth, "Content-Type": "application/json"})
    _is_problem(response, 400)


@pytest.mark.parametrize("payload", [
    {"name": "a", "premium": 10.5},            # float money
    {"name": 3, "premium": "1"},               # wrong type
    {"name": "a", "premium": "1", "extra": 1},  # unknown field
    {"premium": "1"},                          # missing field
    [1, 2],                                    # not an object
])
def test_invalid_bodies_are_422_problems_with_field_errors(client, auth, payload):
    body = _is_problem(client.post("/api/v1/things/", json=payload, headers=auth), 422)
    assert body["errors"]


def test_another_programs_object_is_not_found(client, auth):
    _is_problem(client.post("/api/v1/things/", json={"name": "a", "premium": "1", "program": "pest"}, headers=auth), 404)


def test_unknown_route_and_method_are_problems(client, auth):
    _is_problem(client.get("/api/v1/nothing", headers=auth), 404)
    _is_problem(client.delete("/api/v1/things/", headers=auth), 405)


def test_correlation_id_is_echoed_or_created(client, auth):
    response = client.post("/api/v1/things/", json={"name": "a", "premium": "1"}, headers={**auth, "X-Correlation-ID": "abc-123"})
    assert response.headers["X-Correlation-ID"] == "abc-123"
    assert len(client.get("/healthz").headers["X-Correlation-ID"]) == 36


def test_health_readiness_metrics_and_docs_need_no_token(client, auth):
    assert client.get("/healthz").get_json()["status"] == "ok"
    ready = client.get("/readyz").get_json()
    assert ready["checks"] == {"database": "ok", "broker": "ok"}
    client.post("/api/v1/things/", json={"name": "a", "premium": "1"}, headers=auth)
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'http_requests_total{method="POST",route="/api/v1/things/",service="kitweb",status="201"}' in metrics
    spec = client.get("/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["components"]["schemas"]["Thing"]["properties"]["premium"]["type"] == "string"


def test_readiness_reports_a_missing_broker(tmp_path):
    settings = testing.embedded_settings("kitweb", tmp_path, broker_url="amqp://guest:guest@127.0.0.1:1/")
    client = create_service_app("kitweb", title="Kit test", blueprints=[], settings=settings).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["broker"].startswith("unavailable")


def test_identity_provider_rs256_tokens_are_verified_and_algorithm_confusion_is_refused(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    settings = testing.embedded_settings("kitweb", tmp_path, jwt_public_key=public_pem, jwt_algorithms=("RS256",),
                                         jwt_audience="cmp-portal", jwt_issuer="https://idp.example")
    client = create_service_app("kitweb", title="Kit test", blueprints=[blp], settings=settings).test_client()
    claims = {"sub": "am.idp", "roles": ["account_manager"], "programs": ["transportation"], "exp": 4102444800,
              "aud": "cmp-portal", "iss": "https://idp.example"}
    good = jwt.encode(claims, key, algorithm="RS256")
    response = client.post("/api/v1/things/", json={"name": "a", "premium": "1"}, headers={"Authorization": f"Bearer {good}"})
    assert response.status_code == 201
    for forged in (
        jwt.encode({**claims, "aud": "someone-else"}, key, algorithm="RS256"),   # wrong audience
        jwt.encode({**claims, "iss": "https://evil.example"}, key, algorithm="RS256"),  # wrong issuer
    ):
        _is_problem(client.post("/api/v1/things/", json={}, headers={"Authorization": f"Bearer {forged}"}), 401)
    # HS256 signed with the public key as the secret: refused because only RS256 is accepted.
    import base64
    import hashlib
    import hmac
    import json as _json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header, payload = b64(_json.dumps({"alg": "HS256", "typ": "JWT"}).encode()), b64(_json.dumps(claims).encode())
    signature = b64(hmac.new(public_pem.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest())
    confused = f"{header}.{payload}.{signature}"
    _is_problem(client.post("/api/v1/things/", json={}, headers={"Authorization": f"Bearer {confused}"}), 401)


def test_a_value_the_database_refuses_is_a_422_problem_not_a_500(client, auth):
    body = _is_problem(client.post("/api/v1/things/stored", headers=auth,
                                   json={"name": "Acme\u0000", "premium": "1.00"}), 422)
    assert "NUL" in body["detail"]


def test_an_integer_path_segment_beyond_64_bits_matches_no_route(settings, auth):
    numbered = Blueprint("numbered", __name__, url_prefix="/api/v1/numbered")

    @numbered.route("/<int:item_id>")
    class Numbered(MethodView):
        def get(self, item_id):
            return {"item_id": item_id}

    client = create_service_app("kitweb", title="Kit test", blueprints=[numbered], settings=settings).test_client()
    assert client.get("/api/v1/numbered/42", headers=auth).get_json() == {"item_id": 42}
    _is_problem(client.get("/api/v1/numbered/20212149854897052844032", headers=auth), 404)
