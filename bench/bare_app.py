"""The baseline for the API benchmark: a bare Flask JSON endpoint."""
from flask import Flask, jsonify


def create_app():
    app = Flask("bare")

    @app.get("/ping")
    def ping():
        return jsonify(status="ok", id="0b6d2c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c", name="Delta Valley Freight LLC")

    return app
