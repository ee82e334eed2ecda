"""Feast's pulls over a stream source's batch twin (FeastSdkTest's repo with the Kafka source txn_stream, whose
twin holds the tour's transactions; no consumer runs): the SDK names the KafkaSource (or its batch source
txn_stream_files) and gets what it gets from a file source, checked against the plain reference of
test_saved_datasets."""

from __future__ import annotations

import pandas as pd

from test_saved_datasets import END, START, source_rows


def pull(store, name: str, latest: bool) -> pd.DataFrame:
    from feast.infra.offline_stores.remote import RemoteOfflineStore
    f = RemoteOfflineStore.pull_latest_from_table_or_query if latest else RemoteOfflineStore.pull_all_from_table_or_query
    return f(store.config, store.get_data_source(name), ["user_id"], ["amount", "country"], "event_ts", "created_ts",
             START, END).to_df()


def test_pull_latest_over_the_twin_is_the_latest_row_per_key(store, quiver_repo):
    expected = source_rows(quiver_repo, START, END).groupby("user_id").tail(1).sort_values("user_id").reset_index(drop=True)
    for name in ("txn_stream", "txn_stream_files"):
        got = pull(store, name, True).sort_values("user_id").reset_index(drop=True)
        assert list(got.columns) == ["user_id", "amount", "country", "event_ts", "created_ts"]
        assert len(got) == len(expected) > 20, name
        for column in ["user_id", "amount", "country"]:
            assert got[column].tolist() == expected[column].tolist(), (name, column)
        assert pd.to_datetime(got["event_ts"], utc=True).tolist() == pd.to_datetime(expected["event_ts"], utc=True).tolist()


def test_pull_all_over_the_twin_is_every_row_by_key_in_tie_order(store, quiver_repo):
    got = pull(store, "txn_stream", False).reset_index(drop=True)
    expected = source_rows(quiver_repo, START, END).sort_values("user_id", kind="stable").reset_index(drop=True)
    assert len(got) == len(expected) > 100
    for column in ["user_id", "amount", "country"]:
        assert got[column].tolist() == expected[column].tolist(), column
