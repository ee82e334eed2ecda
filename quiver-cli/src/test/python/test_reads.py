"""get_online_features through Feast's SDK: refs and services, short and full names, on-demand
features with request data as entity columns, version metadata; the SDK shows what the server says."""

from datetime import timedelta

from conftest import now, profile
from feast.data_source import PushMode
from feast.protos.feast.serving.ServingService_pb2 import FieldStatus

USERS = [1, 2, 3, 999_999]  # the last one has no rows


def statuses(response) -> list:
    return [[s for s in r.statuses] for r in response.proto.results]


def test_feature_refs_short_and_full_names(store, server):
    refs = ["user_profile:home_country", "user_profile:credit_limit", "user_txn:txn_count_7d"]
    got = store.get_online_features(features=refs, entity_rows=[{"user_id": u} for u in USERS]).to_dict()
    assert list(got) == ["user_id", "home_country", "credit_limit", "txn_count_7d"]
    assert got["user_id"] == USERS
    raw = server.read(refs, {"user_id": USERS})
    for name in ("home_country", "credit_limit", "txn_count_7d"):
        assert got[name] == server.column(raw, name)["values"], name
    assert server.column(raw, "home_country")["statuses"][-1] == "NOT_FOUND"
    assert got["home_country"][-1] is None
    assert got["txn_count_7d"][-1] == 0  # an empty window counts 0

    full = store.get_online_features(features=refs, entity_rows={"user_id": USERS}, full_feature_names=True).to_dict()
    assert list(full) == ["user_id", "user_profile__home_country", "user_profile__credit_limit", "user_txn__txn_count_7d"]
    assert full["user_profile__home_country"] == got["home_country"]


def test_a_feature_service_short_and_full_names(store, server):
    service = store.get_feature_service("fraud_model")
    rows = [{"user_id": u, "merchant_id": 3, "amount": 25.0, "country": "DE"} for u in USERS]
    got = store.get_online_features(features=service, entity_rows=rows).to_dict()
    raw = server.post("/get-online-features", {"feature_service": "fraud_model", "entities": {
        "user_id": USERS, "merchant_id": [3] * 4, "amount": [25.0] * 4, "country": ["DE"] * 4}}).json()
    names = raw["metadata"]["feature_names"]
    assert list(got) == names
    assert names[:2] == ["user_id", "merchant_id"], "join keys first; request data is not echoed"
    assert "amount" not in names and "country" not in names
    for i, name in enumerate(names):
        assert got[name] == raw["results"][i]["values"], name

    full = store.get_online_features(features=service, entity_rows=rows, full_feature_names=True).to_dict()
    assert list(full)[2:] == [p.name + "__" + f.name for p in service.feature_view_projections for f in p.features]


def test_on_demand_features_take_request_data_as_entity_columns(store):
    # a fresh profile for a user of our own, so the answer does not depend on the day the suite runs
    store.push("user_profiles", profile(900_001, "DE", "low", 100.0, now()), to=PushMode.ONLINE)
    rows = [{"user_id": 900_001, "amount": 150.0, "country": "FR"},
            {"user_id": 900_001, "amount": 50.0, "country": "DE"},
            {"user_id": 999_999, "amount": 50.0, "country": "DE"}]
    got = store.get_online_features(features=["txn_risk:is_foreign", "txn_risk:over_limit"], entity_rows=rows).to_dict()
    assert got == {"user_id": [900_001, 900_001, 999_999], "is_foreign": [True, False, None],
                   "over_limit": [True, False, False]}


def test_on_demand_features_of_request_data_alone(store):
    # card_fee (written by FeastSdkTest) reads request data alone: the entity rows hold no join key
    got = store.get_online_features(features=["card_fee:fee"], entity_rows=[{"amount": 10.0}, {"amount": 120.5}]).to_dict()
    assert got == {"fee": [0.59, 3.79]}
    mixed = store.get_online_features(features=["user_profile:home_country", "card_fee:fee"],
                                      entity_rows=[{"user_id": 999_999, "amount": 10.0}]).to_dict()
    assert mixed == {"user_id": [999_999], "home_country": [None], "fee": [0.59]}


def test_view_version_metadata_when_asked(store):
    response = store.get_online_features(features=["user_profile:home_country", "txn_risk:is_foreign"],
                                         entity_rows=[{"user_id": 1, "amount": 1.0, "country": "DE"}],
                                         include_feature_view_version_metadata=True)
    assert [(m.name, m.version) for m in response.proto.metadata.feature_view_metadata] == [("user_profile", 1)]
    plain = store.get_online_features(features=["user_profile:home_country"], entity_rows=[{"user_id": 1}])
    assert len(plain.proto.metadata.feature_view_metadata) == 0


def test_statuses_reach_the_sdk(store, server):
    store.write_to_online_store("user_profile", profile(900_002, "NL", "high", 10.0, now() - timedelta(days=400)))
    response = store.get_online_features(features=["user_profile:home_country"], entity_rows={"user_id": [900_002, 999_999]})
    names = list(response.proto.metadata.feature_names.val)
    column = statuses(response)[names.index("home_country")]
    # the first row is older than the view's 365-day TTL; the second user has none
    assert column == [FieldStatus.OUTSIDE_MAX_AGE, FieldStatus.NOT_FOUND]
