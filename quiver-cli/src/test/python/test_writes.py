"""Writes through Feast's SDK (push, write_to_online_store: POST /write-to-online-store) and Feast's raw
/push body; newest wins."""

from datetime import timedelta

import pandas as pd
import pytest
from conftest import now, profile
from feast.types import Array
from quiver_feast import EXAMPLES
from feast.data_source import PushMode
from feast.errors import FeastError
from feast.feature_server import PushFeaturesRequest, WriteToFeatureStoreRequest

FEATURES = ["user_profile:home_country", "user_profile:risk_segment", "user_profile:credit_limit"]


def example(dtype):
    """A value of a Feast type."""
    return [example(dtype.base_type)] if isinstance(dtype, Array) else EXAMPLES[dtype]


def read(store, user: int) -> dict:
    return store.get_online_features(features=FEATURES, entity_rows=[{"user_id": user}]).to_dict()


def test_push_to_a_push_source(store):
    t = now()
    store.push("user_profiles", profile(900_010, "JP", "watchlist", 500.0, t), to=PushMode.ONLINE)
    assert read(store, 900_010) == {"user_id": [900_010], "home_country": ["JP"], "risk_segment": ["watchlist"],
                                    "credit_limit": [500.0]}
    store.push("user_profiles", profile(900_010, "US", "low", 1.0, t - timedelta(hours=1)), to=PushMode.ONLINE)
    assert read(store, 900_010)["home_country"] == ["JP"], "an older row changes nothing"
    store.push("user_profiles", profile(900_010, "US", "low", 1.0, t + timedelta(seconds=1)), to=PushMode.ONLINE)
    assert read(store, 900_010)["home_country"] == ["US"], "a newer one wins"


def test_write_to_online_store(store):
    store.write_to_online_store("user_profile", profile(900_011, "BR", "medium", 42.5, now()))
    assert read(store, 900_011)["credit_limit"] == [42.5]


def test_feasts_raw_push_and_write_bodies(store, server):
    t = now().replace(tzinfo=None).isoformat()
    push = PushFeaturesRequest(push_source_name="user_profiles", to="online", df={
        "user_id": [900_012], "updated_at": [t], "home_country": ["KE"], "risk_segment": ["low"], "credit_limit": [7.0]})
    r = server.post("/push", push.model_dump())
    assert r.status_code == 200, r.text
    assert read(store, 900_012)["home_country"] == ["KE"]
    write = WriteToFeatureStoreRequest(feature_view_name="user_profile", df={
        "user_id": [900_013], "event_timestamp": [t], "created": [None], "home_country": ["MX"], "risk_segment": ["low"],
        "credit_limit": [8.0]})
    r = server.post("/write-to-online-store", write.model_dump())
    assert r.status_code == 200, r.text
    assert read(store, 900_013)["home_country"] == ["MX"]


def test_a_view_with_window_aggregates_takes_no_aggregate_values(store):
    # Feast's definition of user_txn lists its aggregates as plain features, so the SDK sends values
    # for them; Quiver computes those from source rows and refuses them, naming the way that works
    row = {f.name: [example(f.dtype)] for f in store.get_feature_view("user_txn").features}
    row.update({"user_id": [900_014], "event_ts": [now()], "created_ts": [now()], "last_amount": [1.0],
                "last_country": ["DE"], "last_channel": ["online"]})
    with pytest.raises(FeastError, match="cannot take values for amount_avg_30d .a window aggregate."):
        store.write_to_online_store("user_txn", pd.DataFrame(row))
