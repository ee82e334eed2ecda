"""Feast definitions that mirror a Quiver server's registry, read from its catalogue (GET /api/v1/...).

With ``online_store: {type: remote, path: <Quiver URL>}`` Feast's SDK sends reads, writes and
materialized rows to Quiver, which resolves and computes everything server-side. The SDK still wants
its own registry for what it does locally: ``get_feature_service`` (to send a service by name),
``push`` (which views read a push source), ``write_to_online_store`` and ``materialize`` (which columns a
view has, and where its offline rows are). This module builds that registry's objects from Quiver's:

* each entity, with its join key and type;
* each source as a ``PushSource`` named like the Quiver source (so ``store.push("user_profiles", df)``
  works), backed by a ``FileSource`` over the same Parquet files (so the SDK's own materialize reads
  them), renaming source columns to the names of the column features that read them;
* the newest version of each feature view, every feature with its type (aggregates and derived
  features included, so services can list them; Feast can only *write* the column features);
* each on-demand view, with its request fields as a ``RequestSource``;
* each feature service.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
import functools
from typing import Dict, List, Optional

import pandas as pd
import requests
from feast import Entity, FeatureService, FeatureView, Field, FileSource, PushSource, RequestSource, ValueType
from feast.on_demand_feature_view import OnDemandFeatureView
from feast.types import Array, Bool, Bytes, Float32, Float64, Int32, Int64, String, UnixTimestamp

SCALARS = {
    "int32": (Int32, ValueType.INT32),
    "int64": (Int64, ValueType.INT64),
    "float32": (Float32, ValueType.FLOAT),
    "float64": (Float64, ValueType.DOUBLE),
    "bool": (Bool, ValueType.BOOL),
    "string": (String, ValueType.STRING),
    "bytes": (Bytes, ValueType.BYTES),
    "timestamp": (UnixTimestamp, ValueType.UNIX_TIMESTAMP),
}

# A value of each type, for the on-demand transformation Feast runs once at apply time (see below).
EXAMPLES = {Int32: 0, Int64: 0, Float32: 0.0, Float64: 0.0, Bool: False, String: "", Bytes: b""}

DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w)")
UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def dtype(quiver_type: str):
    """The Feast type of a Quiver type spelling (``int64``, ``list<float32>``)."""
    m = re.fullmatch(r"list<(\w+)>", quiver_type)
    if m:
        return Array(SCALARS[m.group(1)][0])
    return SCALARS[quiver_type][0]


def ttl(spelling) -> timedelta:
    """A Quiver duration (``90d``, ``1h30m``) as a timedelta; none is Feast's 0 (no limit)."""
    if not spelling:
        return timedelta(0)
    total = timedelta(0)
    for n, unit in DURATION.findall(spelling):
        total += timedelta(**{UNITS[unit]: int(n)})
    return total


def catalogue(url: str, path: str, token: Optional[str] = None, verify=True) -> list:
    """``verify``: as requests takes it (a CA certificate file for a server with a private CA)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.get(f"{url}/api/v1/{path}", headers=headers, timeout=30, verify=verify)
    answer.raise_for_status()
    return answer.json()[path.replace("-", "_")]


def _catalogue_with(token: Optional[str], verify, url: str, path: str) -> list:
    return catalogue(url, path, token, verify)


def newest(items: list) -> Dict[str, dict]:
    """The newest version of each name."""
    out: Dict[str, dict] = {}
    for item in items:
        if item["name"] not in out or item["version"] > out[item["name"]]["version"]:
            out[item["name"]] = item
    return out


def computed_by_quiver(features: List[Field]):
    """
    The transformation of a mirrored on-demand view. Feast requires one and runs it once, at apply
    time, on random input to check the declared schema; reads never call it, because with a remote
    online store Quiver computes on-demand features server-side (the suite checks their values).
    """

    def transformation(inputs: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame(index=inputs.index)
        for f in features:
            out[f.name] = [EXAMPLES.get(f.dtype)] * len(inputs)
        return out

    return transformation


def mirror(url: str, repo_root: Path, token: Optional[str] = None, verify=True) -> list:
    """Feast objects mirroring the registry a Quiver server serves; ``repo_root`` holds its data files.
    ``token``: the bearer token a server with authentication needs for its catalogue; ``verify``: a CA
    certificate file for a server with TLS from a private CA."""
    catalogue = functools.partial(_catalogue_with, token, verify)
    entities = {}
    for e in catalogue(url, "entities"):
        if len(e["join_keys"]) != 1:
            raise ValueError(f"entity {e['name']}: Feast entities have one join key")
        key = e["join_keys"][0]
        entities[e["name"]] = Entity(name=e["name"], join_keys=[key["name"]], value_type=SCALARS[key["type"]][1],
                                     description=e["metadata"]["description"])
    join_key_types = {e["join_keys"][0]["name"]: e["join_keys"][0]["type"] for e in catalogue(url, "entities")}
    views = newest(catalogue(url, "feature-views"))
    sources = {s["name"]: s for s in catalogue(url, "sources")}

    push_sources = {}
    for name, s in sources.items():
        raw = {mapped: raw_name for raw_name, mapped in s["field_mapping"].items()}
        renames: Dict[str, str] = {}
        for v in views.values():
            if v["source"] != name:
                continue
            for f in v["features"]:
                if f["kind"] == "column":
                    column = raw.get(f["column"], f["column"])
                    if column != f["name"]:
                        if renames.get(column, f["name"]) != f["name"]:
                            raise ValueError(f"source {name}: column {column} is read as {renames[column]} and {f['name']}")
                        renames[column] = f["name"]
        batch = FileSource(
            name=f"{name}_files",
            path=str((repo_root / s["path"]).resolve()),
            timestamp_field=raw.get(s["timestamp_column"], s["timestamp_column"]),
            created_timestamp_column=raw.get(s["created_column"], s["created_column"]) if s["created_column"] else "",
            field_mapping=renames,
        )
        push_sources[name] = PushSource(name=name, batch_source=batch)

    feature_views = {}
    for name, v in views.items():
        keys = [entities[e].join_key for e in v["entities"]]
        schema = [Field(name=k, dtype=dtype(join_key_types[k])) for k in keys]
        schema += [Field(name=f["name"], dtype=dtype(f["type"])) for f in v["features"]]
        feature_views[name] = FeatureView(
            name=name,
            entities=[entities[e] for e in v["entities"]],
            ttl=ttl(v["ttl"]),
            schema=schema,
            source=push_sources[v["source"]],
            online=v["online"],
            owner=v["metadata"]["owner"],
            tags=v["metadata"]["tags"],
        )

    on_demand = {}
    for name, o in newest(catalogue(url, "on-demand-views")).items():
        schema = [Field(name=f["name"], dtype=dtype(f["type"])) for f in o["features"]]
        sources_of = [feature_views[i.split("@")[0]] for i in o["inputs"]]
        if o["request_fields"]:
            sources_of.append(RequestSource(name=f"{name}_request",
                                            schema=[Field(name=r["name"], dtype=dtype(r["type"])) for r in o["request_fields"]]))
        on_demand[name] = OnDemandFeatureView(name=name, sources=sources_of, schema=schema, mode="pandas",
                                              udf=computed_by_quiver(schema), udf_string="computed by Quiver")

    services = []
    for name, s in newest(catalogue(url, "feature-services")).items():
        by_view: Dict[str, List[str]] = {}
        for ref in s["features"]:
            view, feature = ref.split(":")
            by_view.setdefault(view.split("@")[0], []).append(feature)
        projections = [(feature_views.get(view) or on_demand[view])[features] for view, features in by_view.items()]
        services.append(FeatureService(name=name, features=projections, owner=s["metadata"]["owner"]))

    return [*entities.values(), *push_sources.values(), *feature_views.values(), *on_demand.values(), *services]
