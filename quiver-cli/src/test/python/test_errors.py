"""Quiver's errors reach Feast's SDK as Feast's typed exceptions (Feast's error body), and requests
carrying fields Quiver does not know are answered."""

import pytest
from feast import FeatureService
from feast import errors
from feast.errors import FeastError
from feast.feature_server import GetOnlineFeaturesRequest

# Every class Quiver's error body may name (ErrorBody.FEAST_CLASSES in quiver-server).
QUIVER_NAMES = ["FeastError", "FeastObjectNotFoundException", "FeatureViewNotFoundException", "FeatureViewVersionNotFound",
                "FeatureServiceNotFoundException", "PushSourceNotFoundException", "FeatureNameCollisionError",
                "RequestDataNotFoundInEntityRowsException", "DataSourceNotFoundException"]


def test_every_class_quiver_names_is_built_by_feasts_client():
    for name in QUIVER_NAMES:
        detail = '{"module": "feast.errors", "class": "%s", "message": "m", "status": 400, "error": "e"}' % name
        error = FeastError.from_error_detail(detail)
        assert isinstance(error, getattr(errors, name)) and str(error) == "m", name


def test_unknown_views_features_and_services(store):
    with pytest.raises(errors.FeatureViewNotFoundException, match="did you mean 'user_profile'"):
        store.get_online_features(features=["user_profil:home_country"], entity_rows=[{"user_id": 1}])
    with pytest.raises(errors.FeastObjectNotFoundException, match="has no feature 'home_town'"):
        store.get_online_features(features=["user_profile:home_town"], entity_rows=[{"user_id": 1}])
    with pytest.raises(errors.FeatureViewVersionNotFound, match="has no version 7"):
        store.get_online_features(features=["user_profile@v7:home_country"], entity_rows=[{"user_id": 1}])
    unknown = FeatureService(name="fraud_mode", features=[store.get_feature_view("user_profile")])
    with pytest.raises(errors.FeatureServiceNotFoundException, match="did you mean 'fraud_model'"):
        store.get_online_features(features=unknown, entity_rows=[{"user_id": 1}])


def test_bad_requests(store):
    with pytest.raises(errors.RequestDataNotFoundInEntityRowsException, match="needs request field 'country'"):
        store.get_online_features(features=["txn_risk:is_foreign"], entity_rows=[{"user_id": 1}])
    with pytest.raises(errors.FeatureNameCollisionError, match="requested twice"):
        store.get_online_features(features=["user_profile:home_country", "user_profile:home_country"],
                                  entity_rows=[{"user_id": 1}])
    with pytest.raises(FeastError, match="entity column 'merchant_id' is neither a join key"):
        store.get_online_features(features=["user_profile:home_country"], entity_rows=[{"user_id": 1, "merchant_id": 2}])
    with pytest.raises(FeastError, match="holds int64 keys, but got 'abc'"):
        store.get_online_features(features=["user_profile:home_country"], entity_rows=[{"user_id": "abc"}])


def test_raw_routes_answer_feasts_error_body(server):
    r = server.post("/write-to-online-store", {"feature_view_name": "user_profil", "df": {"user_id": [1]}})
    assert r.status_code == 404
    error = FeastError.from_error_detail(r.json())
    assert isinstance(error, errors.FeatureViewNotFoundException), r.text
    r = server.post("/push", {"push_source_name": "user_profile", "df": {"user_id": [1]}})
    assert isinstance(FeastError.from_error_detail(r.json()), errors.PushSourceNotFoundException), r.text


def test_unknown_fields_are_ignored(server):
    body = GetOnlineFeaturesRequest(entities={"user_id": [1]}, features=["user_profile:home_country"]).model_dump()
    body.update({"include_feature_view_version_metadata": True, "a_field_from_the_future": {"x": [1]}})
    r = server.post("/get-online-features", body)
    assert r.status_code == 200, r.text
    assert r.json()["metadata"]["feature_view_metadata"] == [{"name": "user_profile", "version": 1}]
