"""Materialization through Feast's SDK and Feast's request models. With a remote online store, Feast
0.67's store.materialize and materialize_incremental ask the feature server to materialize (POST
/materialize, /materialize-incremental; ?async=true with run_async=True). FeastSdkTest materializes
every view but merchant_profile before the suite runs."""

from datetime import datetime, timezone

import pandas as pd
from feast.feature_server import MaterializeIncrementalRequest, MaterializeRequest

MERCHANTS = list(range(1, 11))


def event_times(server, merchants) -> list:
    answer = server.read(["merchant_profile:category"], {"merchant_id": merchants})
    column = server.column(answer, "category")
    return [None if s == "NOT_FOUND" else t for s, t in zip(column["statuses"], column["event_timestamps"])]


def latest(quiver_repo, until: datetime, merchants) -> list:
    """Each merchant's latest updated_at up to `until`, from the source file, as the server spells times."""
    rows = pd.read_parquet(quiver_repo / "data/merchant_profiles.parquet")
    times = pd.to_datetime(rows["updated_at"], utc=True)
    newest = rows[times <= pd.Timestamp(until)].assign(t=times).groupby("merchant_id")["t"].max()
    return [None if m not in newest.index else newest[m].isoformat().replace("+00:00", "Z") for m in merchants]


def test_sdk_materialize_incremental_then_materialize(store, server, quiver_repo):
    assert event_times(server, MERCHANTS) == [None] * len(MERCHANTS), "nothing materialized merchant_profile yet"
    middle = datetime(2026, 2, 15, tzinfo=timezone.utc)
    store.materialize_incremental(end_date=middle, feature_views=["merchant_profile"])
    assert event_times(server, MERCHANTS) == latest(quiver_repo, middle, MERCHANTS)
    status = server.status_when(lambda s: True)
    assert (status["kind"], status["feature_views"], status["end"]) == (
        "materialize-incremental", ["merchant_profile@v1"], "2026-02-15T00:00:00Z")
    end = datetime(2026, 4, 2, tzinfo=timezone.utc)
    store.materialize(start_date=datetime(2025, 1, 1, tzinfo=timezone.utc), end_date=end, feature_views=["merchant_profile"])
    expected = latest(quiver_repo, end, MERCHANTS)
    assert event_times(server, MERCHANTS) == expected
    assert expected != latest(quiver_repo, middle, MERCHANTS), "the second run had newer rows to write"


def test_sdk_materialize_in_the_background(store, server):
    previous = server.status_when(lambda s: True).get("id", 0)
    store.materialize(start_date=datetime(2025, 1, 1, tzinfo=timezone.utc), end_date=datetime.now(timezone.utc),
                      feature_views=["user_profile"], run_async=True)
    status = server.status_when(lambda s: s.get("id", 0) > previous and s["state"] != "running")
    assert (status["state"], status["background"], status["feature_views"]) == ("done", True, ["user_profile@v1"]), status


def test_http_materialize_with_feasts_request_model(server):
    body = MaterializeRequest(start_ts="2025-01-01T00:00:00", end_ts="2026-04-02 00:00:00",
                              feature_views=["user_profile"]).model_dump()
    r = server.post("/materialize", body)
    assert r.status_code == 200, r.text
    assert [v["view"] for v in r.json()["views"]] == ["user_profile@v1"]
    assert r.json()["views"][0]["rows_read"] > 0


def test_http_materialize_async(server):
    body = MaterializeRequest(start_ts="2025-01-01T00:00:00+00:00", end_ts="now", feature_views=["user_profile"]).model_dump()
    r = server.post("/materialize?async=true", body)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "accepted"
    assert r.json()["feature_views"] == ["user_profile@v1"]
    status = server.status_when(lambda s: s["state"] != "running")
    assert status["state"] == "done", status
    assert status["id"] == r.json()["id"]
    assert status["views"][0]["view"] == "user_profile@v1"

    inc = MaterializeIncrementalRequest(end_ts="now", feature_views=["user_profile"]).model_dump()
    r = server.post("/materialize-incremental?async=true", inc)
    assert r.status_code == 202, r.text
    status = server.status_when(lambda s: s["state"] != "running")
    assert (status["state"], status["kind"]) == ("done", "materialize-incremental"), status
