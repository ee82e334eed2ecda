"""Feast's remote registry served by Quiver (feast.registry.RegistryServer on the gRPC port): what the SDK lists and
gets is Quiver's catalogue (GET /api/v1/...) mapped to Feast's objects; changes are refused; unknown names raise
Feast's own exceptions."""

from datetime import timedelta

import pytest
from feast import Entity, FeatureStore
from feast.data_source import PushSource, RequestSource
from feast.errors import (DataSourceObjectNotFoundException, EntityNotFoundException, FeatureServiceNotFoundException,
                          FeatureViewNotFoundException, OnDemandFeatureViewNotFoundException,
                          ProjectObjectNotFoundException, ReadOnlyRegistryException, SavedDatasetNotFound)
from feast.infra.offline_stores.file_source import FileSource
from feast.types import Array, Bool, Bytes, Float32, Float64, Int32, Int64, String, UnixTimestamp
from feast.value_type import ValueType

import quiver_feast

DTYPES = {"int32": Int32, "int64": Int64, "float32": Float32, "float64": Float64, "bool": Bool, "string": String,
          "bytes": Bytes, "timestamp": UnixTimestamp}
VALUE_TYPES = {"int32": ValueType.INT32, "int64": ValueType.INT64, "string": ValueType.STRING}
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def dtype(spelling: str):
    return Array(DTYPES[spelling[5:-1]]) if spelling.startswith("list<") else DTYPES[spelling]


def ttl(spelling) -> timedelta:
    if not spelling:
        return timedelta(0)
    return timedelta(seconds=int(spelling[:-1]) * UNITS[spelling[-1]])


@pytest.fixture(scope="module")
def catalogue(quiver_url):
    return lambda section: quiver_feast.catalogue(quiver_url, section)


def test_entities_are_quivers(store, catalogue):
    theirs = {e.name: e for e in store.list_entities()}
    ours = {e["name"]: e for e in catalogue("entities")}
    assert sorted(theirs) == sorted(ours)
    for name, e in ours.items():
        got = theirs[name]
        assert (got.join_key, got.value_type) == (e["join_keys"][0]["name"], VALUE_TYPES[e["join_keys"][0]["type"]])
        assert (got.description, got.owner, got.tags) == (e["metadata"]["description"], e["metadata"]["owner"],
                                                          e["metadata"]["tags"])
        assert store.get_entity(name).join_key == got.join_key


def test_feature_views_are_the_newest_versions_with_typed_fields(store, catalogue):
    theirs = {v.name: v for v in store.list_feature_views()}
    ours = quiver_feast.newest(catalogue("feature-views"))
    assert sorted(theirs) == sorted(ours)
    entities = {e["name"]: e for e in catalogue("entities")}
    for name, v in ours.items():
        got = store.get_feature_view(name)
        assert [(f.name, f.dtype) for f in got.features] == [(f["name"], dtype(f["type"])) for f in v["features"]]
        assert [f.description for f in got.features] == [f["description"] for f in v["features"]]
        assert [f.tags["quiver.kind"] for f in got.features] == [f["kind"] for f in v["features"]]
        assert sorted(got.entities) == sorted(v["entities"])
        keys = [k["name"] for e in v["entities"] for k in entities[e]["join_keys"]]
        assert [c.name for c in got.entity_columns] == keys
        assert got.ttl == ttl(v["ttl"]) and got.online == v["online"]
        assert (got.owner, got.description) == (v["metadata"]["owner"], v["metadata"]["description"])
        assert got.tags == {**v["metadata"]["tags"], "quiver.version": str(v["version"])}
        assert isinstance(got.stream_source, PushSource) and got.stream_source.name == v["source"]
        assert isinstance(got.batch_source, FileSource) and got.batch_source.name == v["source"] + "_files"
        assert got.created_timestamp is not None and got.last_updated_timestamp is not None


def test_aggregate_features_say_how_quiver_computes_them(store, catalogue):
    view = store.get_feature_view("user_txn")
    ours = {f["name"]: f for f in quiver_feast.newest(catalogue("feature-views"))["user_txn"]["features"]}
    aggregates = [f for f in view.features if f.tags["quiver.kind"] == "aggregate"]
    assert aggregates, "the tour's user_txn has window aggregates"
    for f in aggregates:
        aggregation = ours[f.name]["aggregation"]
        assert f.tags["quiver.function"] == aggregation["function"]
        assert f.tags["quiver.window"] == aggregation["window"]
        assert f.tags.get("quiver.where") == aggregation["where"]
        assert f.tags.get("quiver.column") == aggregation["column"]


def test_sources_are_push_sources_over_their_files(store, catalogue, quiver_repo):
    theirs = {s.name: s for s in store.list_data_sources()}
    for s in catalogue("sources"):
        push, files = theirs[s["name"]], theirs[s["name"] + "_files"]
        assert isinstance(push, PushSource) and push.batch_source.name == files.name
        assert isinstance(files, FileSource)
        assert files.path == str((quiver_repo / s["path"]).resolve())
        assert files.timestamp_field == s["timestamp_column"]
        assert (files.description, files.owner) == (s["metadata"]["description"], s["metadata"]["owner"])
        assert store.get_data_source(s["name"]).name == s["name"]


def test_on_demand_views_list_their_sources_and_fields(store, catalogue):
    theirs = {o.name: o for o in store.list_on_demand_feature_views()}
    ours = quiver_feast.newest(catalogue("on-demand-views"))
    assert sorted(theirs) == sorted(ours)
    for name, o in ours.items():
        got = store.get_on_demand_feature_view(name)
        assert [(f.name, f.dtype) for f in got.features] == [(f["name"], dtype(f["type"])) for f in o["features"]]
        assert sorted(got.source_feature_view_projections) == sorted(i.split("@")[0] for i in o["inputs"])
        if o["request_fields"]:
            request = got.source_request_sources[name + "_request"]
            assert isinstance(request, RequestSource)
            assert [(f.name, f.dtype) for f in request.schema] == [(r["name"], dtype(r["type"])) for r in o["request_fields"]]
        with pytest.raises(RuntimeError, match="computed by the Quiver server"):  # never recomputed by the client
            got.feature_transformation.udf(None)


def test_feature_services_project_quivers_refs(store, catalogue):
    theirs = {s.name: s for s in store.list_feature_services()}
    ours = quiver_feast.newest(catalogue("feature-services"))
    assert sorted(theirs) == sorted(ours)
    for name, s in ours.items():
        got = store.get_feature_service(name)
        refs = [f"{p.name}:{f.name}" for p in got.feature_view_projections for f in p.features]
        assert sorted(refs) == sorted(r.replace("@v1", "") for r in s["features"])
        assert (got.owner, got.description) == (s["metadata"]["owner"], s["metadata"]["description"])


def test_the_project_is_quivers(store):
    assert [p.name for p in store.list_projects()] == ["payments"]
    assert store.list_saved_datasets() == []
    assert store.list_validation_references() == []


@pytest.mark.parametrize("get, exception", [
    ("get_feature_view", FeatureViewNotFoundException),
    ("get_entity", EntityNotFoundException),
    ("get_feature_service", FeatureServiceNotFoundException),
    ("get_data_source", DataSourceObjectNotFoundException),
    ("get_on_demand_feature_view", OnDemandFeatureViewNotFoundException),
    ("get_saved_dataset", SavedDatasetNotFound),
])
def test_an_unknown_name_raises_feasts_exception(store, get, exception):
    with pytest.raises(exception, match="no_such_thing does not exist in project payments"):
        getattr(store, get)("no_such_thing")


def test_apply_is_refused_and_says_how_quiver_changes_definitions(store):
    with pytest.raises(ReadOnlyRegistryException, match="quiver plan' and 'quiver apply'"):
        store.apply([Entity(name="someone", join_keys=["someone_id"])])
    with pytest.raises(ReadOnlyRegistryException):
        store.delete_feature_view("user_profile")
    assert "user_profile" in [v.name for v in store.list_feature_views()]


def test_an_unknown_project_is_named(quiver_url, quiver_grpc, tmp_path):
    (tmp_path / "feature_store.yaml").write_text(
        quiver_feast.feature_store_yaml(quiver_grpc, quiver_url).replace("project: payments", "project: elsewhere"))
    with pytest.raises(ProjectObjectNotFoundException, match="serves project 'payments'"):
        FeatureStore(repo_path=str(tmp_path)).list_feature_views()
