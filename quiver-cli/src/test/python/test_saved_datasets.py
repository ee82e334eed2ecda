"""Saved datasets through Feast's SDK: ``create_saved_dataset`` persists the training set as a Quiver saved
dataset on the server (its storage's file name is the dataset's name) and Feast's registry call that records
it is accepted; ``get_saved_dataset(name).to_df()`` reads the dataset back over Arrow Flight, equal cell by cell
to what ``quiver historical`` writes for the same request. Runs after test_registry (which expects no datasets)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd

import pytest
from feast.infra.offline_stores.file_source import SavedDatasetFileStorage

from test_historical import assert_same_table, entity_df, historical, quiver, refs_of

REFS = ["user_txn:last_amount", "user_txn:amount_avg_30d", "user_txn:last_5_amounts", "txn_risk:amount_ratio_30d"]


def test_create_saved_dataset_saves_a_quiver_dataset_that_reads_back(store, quiver_repo, tmp_path):
    query = entity_df(7, 1200)
    job = store.get_historical_features(entity_df=query, features=REFS, full_feature_names=True)
    saved = store.create_saved_dataset(from_=job, name="sdk_train", storage=SavedDatasetFileStorage(path="sdk_train.parquet"))
    assert saved.name == "sdk_train"

    listed = json.loads(quiver("datasets", "list", "--repo", str(quiver_repo), "--output", "json"))
    record = next(d for d in listed if d["name"] == "sdk_train")
    assert record["rows"] == len(query)
    assert "sdk_train" in [d.name for d in store.list_saved_datasets()]

    dataset = store.get_saved_dataset("sdk_train")
    assert dataset.full_feature_names and dataset.join_keys == ["user_id"]
    sent = job.to_arrow()  # Feast adds an on-demand view's input features to the request: the refs it sent
    expected = historical(tmp_path, refs_of(sent, list(query.columns)), query, True, quiver_repo)
    assert_same_table(sent, expected)
    ts = expected.column("event_timestamp").to_pylist()
    assert (dataset.min_event_timestamp, dataset.max_event_timestamp) == (min(ts).replace(tzinfo=None), max(ts).replace(tzinfo=None))
    back = dataset.to_arrow()
    assert_same_table(back, expected)
    df = dataset.to_df()
    assert list(df["label"]) == list(query["label"])  # the saved rows in query order


def test_a_saved_dataset_needs_its_storage_named_after_it(store):
    from feast.errors import ReadOnlyRegistryException
    job = store.get_historical_features(entity_df=entity_df(8, 50), features=REFS[:1])
    with pytest.raises(ReadOnlyRegistryException) as e:
        # persist saves Quiver dataset 'other_name'; Feast's registry would then record 'mismatched'
        store.create_saved_dataset(from_=job, name="mismatched", storage=SavedDatasetFileStorage(path="other_name.parquet"))
    assert "other_name" in str(e.value) and "SavedDatasetFileStorage(path=" in str(e.value)


START = datetime(2026, 1, 20, tzinfo=timezone.utc)
END = datetime(2026, 3, 1, tzinfo=timezone.utc)


def source_rows(quiver_repo, start, end) -> pd.DataFrame:
    """The transactions with start <= event_ts < end and a user, in DESIGN §3's tie order: event time, created
    time (missing first), then file order: the plain reference pull_latest and pull_all are checked against."""
    rows = pd.read_parquet(quiver_repo / "data/transactions.parquet").reset_index(drop=True)
    rows["position"] = range(len(rows))
    ev = pd.to_datetime(rows["event_ts"], utc=True)
    rows = rows[(ev >= pd.Timestamp(start)) & (ev < pd.Timestamp(end)) & rows["user_id"].notna()]
    return rows.sort_values(["event_ts", "created_ts", "position"], na_position="first", kind="stable")


def pull(store, latest: bool):
    from feast.infra.offline_stores.remote import RemoteOfflineStore
    f = RemoteOfflineStore.pull_latest_from_table_or_query if latest else RemoteOfflineStore.pull_all_from_table_or_query
    return f(store.config, store.get_data_source("transactions"), ["user_id"], ["amount", "country"], "event_ts",
             "created_ts", START, END).to_df()


def test_pull_latest_is_the_latest_row_per_key_in_the_range(store, quiver_repo):
    got = pull(store, True).sort_values("user_id").reset_index(drop=True)
    expected = source_rows(quiver_repo, START, END).groupby("user_id").tail(1).sort_values("user_id").reset_index(drop=True)
    assert list(got.columns) == ["user_id", "amount", "country", "event_ts", "created_ts"]
    assert len(got) == len(expected) > 50
    for column in ["user_id", "amount", "country"]:
        assert got[column].tolist() == expected[column].tolist(), column
    for column in ["event_ts", "created_ts"]:
        assert (pd.to_datetime(got[column], utc=True).tolist() == pd.to_datetime(expected[column], utc=True).tolist()), column


def test_pull_all_is_every_row_in_the_range_by_key_in_tie_order(store, quiver_repo):
    got = pull(store, False).reset_index(drop=True)
    expected = source_rows(quiver_repo, START, END).sort_values("user_id", kind="stable").reset_index(drop=True)
    assert len(got) == len(expected) > 500
    for column in ["user_id", "amount", "country"]:
        assert got[column].tolist() == expected[column].tolist(), column
    assert pd.to_datetime(got["event_ts"], utc=True).tolist() == pd.to_datetime(expected["event_ts"], utc=True).tolist()


def test_a_pull_over_an_unknown_source_is_refused_naming_what_to_use(store):
    import pyarrow as pa
    from feast import FileSource
    from feast.infra.offline_stores.remote import RemoteOfflineStore
    job = RemoteOfflineStore.pull_latest_from_table_or_query(store.config, FileSource(name="elsewhere", path="x.parquet",
                                                             timestamp_field="ts"), ["user_id"], ["amount"], "ts", None,
                                                             START, END)
    with pytest.raises(pa.ArrowException) as e:
        job.to_df()
    assert "elsewhere" in str(e.value) and "get_historical_features" in str(e.value)


def test_an_existing_dataset_is_refused_and_allow_overwrite_replaces_only_an_unrecorded_file(store, quiver_repo):
    """As Feast's file store: persisting where a dataset is refuses unless allow_overwrite. A Quiver saved dataset
    is a record to reproduce from, so it is never replaced; a file in its place that no dataset records is, with
    allow_overwrite."""
    import pyarrow as pa
    query = entity_df(9, 40)
    job = store.get_historical_features(entity_df=query, features=REFS[:1])
    for overwrite in (False, True):
        with pytest.raises(pa.ArrowException) as e:
            store.create_saved_dataset(from_=job, name="sdk_train", storage=SavedDatasetFileStorage(path="sdk_train.parquet"),
                                       allow_overwrite=overwrite)
        assert "sdk_train" in str(e.value) and "already exists" in str(e.value)
        assert ("allow_overwrite cannot replace" in str(e.value)) == overwrite
    stray = quiver_repo / "datasets" / "stray.parquet"
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"not a dataset")
    with pytest.raises(pa.ArrowException) as e:
        store.create_saved_dataset(from_=job, name="stray", storage=SavedDatasetFileStorage(path="stray.parquet"))
    assert "stray" in str(e.value) and "allow_overwrite=True" in str(e.value)
    assert stray.read_bytes() == b"not a dataset"
    store.create_saved_dataset(from_=job, name="stray", storage=SavedDatasetFileStorage(path="stray.parquet"),
                               allow_overwrite=True)
    assert store.get_saved_dataset("stray").to_df()["label"].tolist() == query["label"].tolist()


def test_a_dataset_directory_reads_back_as_its_part_files_in_order(store, quiver_repo, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    out = quiver_repo / "datasets" / "dir_set"
    sql = "SELECT user_id, event_ts AS event_timestamp, amount FROM transactions WHERE txn_id % 3 = 0"
    quiver("historical", "--repo", str(quiver_repo), "--query-sql", sql, "--features", "user_txn:last_amount",
           "--out", str(out), "--save", "dir_set")
    parts = sorted(out.glob("part-*.parquet"))
    assert parts
    expected = pa.concat_tables([pq.read_table(p) for p in parts])
    assert expected.num_rows > 100
    assert_same_table(store.get_saved_dataset("dir_set").to_arrow(), expected)
