"""Fixtures of the Feast SDK suite: a Quiver server (started by FeastSdkTest, its URL in QUIVER_URL, its gRPC
HOST:PORT in QUIVER_GRPC, its feature repo in QUIVER_REPO) and a Feast repo whose registry and online store are
that server."""

import os
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
import requests
from feast import FeatureStore

import quiver_feast


@pytest.fixture(scope="session")
def quiver_url() -> str:
    return os.environ["QUIVER_URL"]


@pytest.fixture(scope="session")
def quiver_grpc() -> str:
    return os.environ["QUIVER_GRPC"]


@pytest.fixture(scope="session")
def quiver_repo() -> Path:
    return Path(os.environ["QUIVER_REPO"])


@pytest.fixture(scope="session")
def store(quiver_url, quiver_grpc, tmp_path_factory) -> FeatureStore:
    """Feast's FeatureStore whose registry (Feast's remote registry, gRPC) and online store are the server:
    nothing is applied on the Feast side."""
    repo = tmp_path_factory.mktemp("feast_repo")
    (repo / "feature_store.yaml").write_text(quiver_feast.feature_store_yaml(quiver_grpc, quiver_url))
    return FeatureStore(repo_path=str(repo))


class Server:
    """Quiver's HTTP API, called directly: to compare with what the SDK shows, and for Feast's raw routes."""

    def __init__(self, url: str):
        self.url = url

    def post(self, path: str, body: dict) -> requests.Response:
        return requests.post(self.url + path, json=body, timeout=60)

    def read(self, features, entities: dict, **extra) -> dict:
        r = self.post("/get-online-features", {"features": features, "entities": entities, **extra})
        assert r.status_code == 200, r.text
        return r.json()

    def column(self, answer: dict, name: str) -> dict:
        """One result column of an answer, by name."""
        return answer["results"][answer["metadata"]["feature_names"].index(name)]

    def status_when(self, done, timeout=60.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            s = requests.get(self.url + "/materialize/status", timeout=30).json()
            if done(s) or time.monotonic() > deadline:
                return s
            time.sleep(0.05)


@pytest.fixture(scope="session")
def server(quiver_url) -> Server:
    return Server(quiver_url)


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def profile(user_id: int, home_country: str, risk_segment: str, credit_limit: float, at: datetime) -> pd.DataFrame:
    """One user_profiles row, as the source's columns (which are the view's feature names)."""
    return pd.DataFrame({"user_id": [user_id], "updated_at": [at], "home_country": [home_country],
                         "risk_segment": [risk_segment], "credit_limit": [credit_limit]})
