"""Fixtures of the Feast SDK suite: a Quiver server (started by FeastSdkTest, its URL in QUIVER_URL, its
feature repo in QUIVER_REPO) and a Feast repo whose online store is that server."""

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
def quiver_repo() -> Path:
    return Path(os.environ["QUIVER_REPO"])


@pytest.fixture(scope="session")
def store(quiver_url, quiver_repo, tmp_path_factory) -> FeatureStore:
    """Feast's FeatureStore over a Feast repo mirroring the server's registry, online store: the server."""
    repo = tmp_path_factory.mktemp("feast_repo")
    (repo / "feature_store.yaml").write_text(f"""\
project: payments
provider: local
registry: {repo / "registry.db"}
online_store:
  type: remote
  path: {quiver_url}
offline_store:
  type: file
entity_key_serialization_version: 3
""")
    feast = FeatureStore(repo_path=str(repo))
    feast.apply(quiver_feast.mirror(quiver_url, quiver_repo))
    return feast


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
