"""Helpers of the Feast SDK suite. The SDK reads Quiver's definitions from the server itself: its
``feature_store.yaml`` names the server as Feast's remote registry (``registry: {registry_type: remote, path:
HOST:GRPC_PORT}``, Feast's ``RegistryServer`` over gRPC) and as its remote online store (HTTP)."""

from __future__ import annotations

from typing import Optional

import requests
from feast.types import Bool, Bytes, Float32, Float64, Int32, Int64, String

# A value of each type (for writes of every column a view has).
EXAMPLES = {Int32: 0, Int64: 0, Float32: 0.0, Float64: 0.0, Bool: False, String: "", Bytes: b""}


def feature_store_yaml(grpc: str, url: str, registry_extra: str = "", online_extra: str = "", auth: str = "",
                       offline_extra: str = "") -> str:
    """A Feast repo's configuration with a Quiver server as registry and offline store (gRPC ``HOST:PORT``: Feast's
    remote registry and its remote offline store, Arrow Flight) and online store (URL)."""
    return f"""\
project: payments
provider: local
registry:
  registry_type: remote
  path: {grpc}{registry_extra}
online_store:
  type: remote
  path: {url}{online_extra}
offline_store:
  type: remote
  host: {grpc.rsplit(":", 1)[0]}
  port: {grpc.rsplit(":", 1)[1]}{offline_extra}
entity_key_serialization_version: 3
{auth}
"""


def catalogue(url: str, path: str, token: Optional[str] = None, verify=True) -> list:
    """Quiver's own catalogue (GET /api/v1/PATH), to compare with what the SDK lists."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.get(f"{url}/api/v1/{path}", headers=headers, timeout=30, verify=verify)
    answer.raise_for_status()
    return answer.json()[path.replace("-", "_")]


def newest(items: list) -> dict:
    """The newest version of each name."""
    out: dict = {}
    for item in items:
        if item["name"] not in out or item["version"] > out[item["name"]]["version"]:
            out[item["name"]] = item
    return out
