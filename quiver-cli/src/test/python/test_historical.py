"""Training sets through Feast's remote offline store (Arrow Flight) served by Quiver: what
``store.get_historical_features(...).to_df()`` returns equals, cell by cell, what ``quiver historical`` writes for
the same request on the same repo (randomized query rows: unknown keys, duplicates, times before any data,
aggregates, derived and on-demand features, lists), with feature refs, a feature service and an SQL entity_df."""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest


def quiver(*args: str) -> str:
    """Runs the quiver command (QUIVER_CLI: the JVM command FeastSdkTest runs it with)."""
    command = json.loads(os.environ["QUIVER_CLI"]) + list(args)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def entity_df(seed: int, n: int) -> pd.DataFrame:
    """Random query rows over the tour's users and merchants: unknown ids, duplicates, request data, a label."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-12-25T00:00:00Z").value // 1000
    end = pd.Timestamp("2026-04-05T00:00:00Z").value // 1000
    df = pd.DataFrame({
        "user_id": rng.integers(0, 400, n).astype("int64"),  # the tour has about 350 users
        "merchant_id": rng.integers(0, 35, n).astype("int64"),
        "event_timestamp": pd.to_datetime(rng.integers(start, end, n), unit="us", utc=True),
        "amount": rng.integers(1, 50_000, n) / 100.0,
        "country": rng.choice(["FR", "DE", "JP", "US"], n),
        "label": rng.integers(0, 2, n).astype("int64"),
    })
    dup = rng.integers(0, n, n // 10)
    df.iloc[rng.integers(0, n, len(dup))] = df.iloc[dup].to_numpy()  # duplicate query rows
    return df.astype({"user_id": "int64", "merchant_id": "int64", "label": "int64", "amount": "float64"})


def historical(tmp: Path, refs: list[str], query: pd.DataFrame | str, full: bool, repo: Path) -> pa.Table:
    """quiver historical for the same request, read back from its Parquet file."""
    out = tmp / "quiver.parquet"
    args = ["historical", "--repo", str(repo), "--out", str(out), "--features", ",".join(refs)]
    if isinstance(query, str):
        args += ["--query-sql", query]
    else:
        path = tmp / "query.parquet"
        # microseconds: quiver historical's DuckDB engine cannot cast pandas' default TIMESTAMPTZ_NS (reported)
        pq.write_table(pa.Table.from_pandas(query, preserve_index=False), path, coerce_timestamps="us")
        args += ["--query", str(path)]
    if full:
        args.append("--full-feature-names")
    quiver(*args)
    return pq.read_table(out)


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def assert_same_table(got: pa.Table, expected: pa.Table):
    assert got.column_names == expected.column_names
    for name in expected.column_names:
        assert got.schema.field(name).type == expected.schema.field(name).type, name
        g, e = got.column(name).to_pylist(), expected.column(name).to_pylist()
        assert len(g) == len(e), name
        bad = [i for i in range(len(e)) if not same(g[i], e[i])]
        assert not bad, f"column {name}: rows {bad[:5]} differ: {[g[i] for i in bad[:5]]} != {[e[i] for i in bad[:5]]}"


def refs_of(table: pa.Table, query_columns: list[str]) -> list[str]:
    """The refs Feast sent, read back from full feature names (view__feature)."""
    return [c.replace("__", ":", 1) for c in table.column_names if c not in query_columns]


def test_refs_with_aggregates_and_on_demand_features_equal_quiver_historical(store, quiver_repo, tmp_path):
    query = entity_df(1, 3000)
    job = store.get_historical_features(entity_df=query, features=[
        "user_txn:last_amount", "user_txn:amount_avg_30d", "user_txn:txn_count_7d", "user_txn:last_5_amounts",
        "user_txn:online_share_7d", "user_profile:risk_segment", "merchant_txn:merchant_fraud_count_30d",
        "txn_risk:amount_ratio_30d", "txn_risk:is_foreign"], full_feature_names=True)
    got = job.to_arrow()
    refs = refs_of(got, list(query.columns))
    assert "txn_risk:amount_ratio_30d" in refs and "user_txn:amount_avg_30d" in refs
    assert_same_table(got, historical(tmp_path, refs, query, True, quiver_repo))
    df = job.to_df()
    assert len(df) == len(query) and list(df["label"]) == list(query["label"])  # output order = input order
    assert df["user_txn__amount_avg_30d"].notna().sum() > 100 and df["user_txn__amount_avg_30d"].isna().sum() > 10


def test_a_feature_service_with_bare_names_equals_quiver_historical(store, quiver_repo, tmp_path):
    query = entity_df(2, 2000)
    service = store.get_feature_service("spend_model")
    got = store.get_historical_features(entity_df=query, features=service).to_arrow()
    refs = [f"{p.name}:{f.name}" for p in service.feature_view_projections for f in p.features]
    expected = historical(tmp_path, refs, query, False, quiver_repo)
    assert "credit_limit" in got.column_names and "last_5_amounts" in got.column_names
    assert_same_table(got, expected)


def test_a_feature_service_with_an_on_demand_view_equals_quiver_historical(store, quiver_repo, tmp_path):
    """fraud_model reads txn_risk, an on-demand view: Feast applies the service's projection to the view
    (its fields must equal the view's) and adds the view's inputs as extra columns; the service's own
    columns equal quiver historical's."""
    query = entity_df(4, 1500)
    service = store.get_feature_service("fraud_model")
    assert "txn_risk" in [p.name for p in service.feature_view_projections]
    got = store.get_historical_features(entity_df=query, features=service, full_feature_names=True).to_arrow()
    refs = [f"{p.name}:{f.name}" for p in service.feature_view_projections for f in p.features]
    expected = historical(tmp_path, refs, query, True, quiver_repo)
    assert "txn_risk__amount_ratio_30d" in expected.column_names
    assert_same_table(got.select(expected.column_names), expected)


def test_an_sql_entity_df_equals_quiver_historical(store, quiver_repo, tmp_path):
    sql = ("SELECT user_id, merchant_id, event_ts + INTERVAL 1 HOUR AS event_timestamp, amount AS paid"
           " FROM transactions WHERE amount > 100 ORDER BY event_ts, user_id")
    refs = ["user_txn:txn_count_1h", "user_txn:max_amount_30d", "merchant_txn:merchant_amount_avg_7d"]
    got = store.get_historical_features(entity_df=sql, features=refs).to_arrow()
    expected = historical(tmp_path, refs, sql, False, quiver_repo)
    assert got.num_rows > 100
    assert_same_table(got, expected)


def test_an_unknown_feature_is_refused_with_the_servers_message(store):
    import pyarrow.flight as fl
    from feast.infra.offline_stores.remote import RemoteOfflineStore
    query = entity_df(3, 5)
    # Feast checks refs against its registry first; the server's own check answers a ref sent past it
    job = RemoteOfflineStore.get_historical_features(store.config, [store.get_feature_view("user_txn")],
                                                     ["user_txn:no_such_feature"], query, store.registry,
                                                     store.project, False)
    with pytest.raises(pa.ArrowException) as e:  # NOT_FOUND arrives as ArrowKeyError
        job.to_df()
    assert "no_such_feature" in str(e.value)


def _variant(query: pd.DataFrame, variant: str) -> pd.DataFrame:
    """entity_df as users build it: the column types pandas hands pa.Table.from_pandas, which Feast uploads."""
    q = query.copy()
    if variant == "int32 keys, timestamp[ns, UTC]":
        q = q.astype({"user_id": "int32", "merchant_id": "int32"})
    elif variant == "naive timestamp[us]":
        q["event_timestamp"] = q["event_timestamp"].dt.tz_convert(None).astype("datetime64[us]")
    elif variant == "another zone, nullable keys, string dtype":
        q["event_timestamp"] = q["event_timestamp"].dt.tz_convert("America/New_York")
        users = pd.array(q["user_id"], dtype="Int64")
        users[::7] = pd.NA  # null keys never match
        q["user_id"] = users
        q["country"] = q["country"].astype("string")
    elif variant == "uint16 keys, timestamp[ms, UTC]":
        q["event_timestamp"] = q["event_timestamp"].astype("datetime64[ms, UTC]")
        q["merchant_id"] = q["merchant_id"].astype("uint16")
    return q


@pytest.mark.parametrize("variant", ["int32 keys, timestamp[ns, UTC]", "naive timestamp[us]",
                                     "another zone, nullable keys, string dtype",
                                     "uint16 keys, timestamp[ms, UTC]"])
def test_entity_df_column_types_the_sdk_sends_equal_quiver_historical(store, quiver_repo, tmp_path, variant):
    """The uploaded entity_df goes into the engine as Arrow: every key and timestamp type pandas gives keeps
    quiver historical's values (int32 = int64 by value, zones and naive times as UTC instants, null keys
    unmatched, order and duplicates kept)."""
    query = _variant(entity_df(11, 2500), variant)
    refs = ["user_txn:last_amount", "user_txn:amount_avg_30d", "merchant_txn:merchant_txn_count_1d",
            "txn_risk:amount_ratio_30d"]
    got = store.get_historical_features(entity_df=query, features=refs, full_feature_names=True).to_arrow()
    # an unsigned key is an integer key by value: Quiver reads uint16 as int32 (quiver historical gets it so)
    sent = query.astype({"merchant_id": "int32"}) if "uint16" in variant else query
    expected = historical(tmp_path, refs_of(got, list(query.columns)), sent, True, quiver_repo)
    assert_same_table(got, expected)
    assert got.column("label").to_pylist() == query["label"].tolist()
    if "nullable" in variant:
        nulls = [i for i, u in enumerate(got.column("user_id").to_pylist()) if u is None]
        assert nulls and all(got.column("user_txn__last_amount")[i].as_py() is None for i in nulls)
