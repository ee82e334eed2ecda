package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.TestRepos;
import dev.quiver.core.derived.DerivedFeatures;
import dev.quiver.core.load.DefinitionLoader;
import dev.quiver.core.load.LoadedRepo;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Online reads of derived features and on-demand views: values, statuses, request data. */
class OnlineDerivedTest {
  private static final Instant NOW = Instant.parse("2026-04-01T00:00:00Z");

  @TempDir Path dir;
  Definitions defs;
  final OnlineReaderTest.MapStore store = new OnlineReaderTest.MapStore();

  @BeforeEach
  void init() {
    TestRepos.write(dir, Map.of("features/defs.yaml", dev.quiver.core.derived.DerivedFeaturesTestAccess.DEFS));
    LoadedRepo repo = new DefinitionLoader().load(dir);
    defs = new DefinitionValidator(TestRepos.schemas(), dir).validate(repo.definitions(), repo.origins(), Set.of());
    FeatureView view = defs.view("user_txn", 1).orElseThrow();
    String table = OnlineTables.of(defs.project(), view);
    put(table, 1L, NOW.minus(Duration.ofHours(1)), 50.0, "DE");
    put(table, 2L, NOW.minus(Duration.ofHours(1)), 0.0, null);
    put(table, 3L, NOW.minus(Duration.ofDays(40)), 70.0, "FR"); // older than the 30d TTL
  }

  private void put(String table, long user, Instant t, Double amount, String country) {
    List<ValueType> types = List.of(ScalarType.FLOAT64, ScalarType.STRING);
    byte[] row = RowEncoding.encode(t, null, List.of("last_amount", "last_country"), types, Arrays.asList(amount, country));
    store.multiPutIfNewer(table, List.of(new OnlineStore.Entry(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(user)), row)));
  }

  private OnlineReader reader() {
    return new OnlineReader(DerivedFeatures.of(defs), store, Runnable::run, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void derivedAndOnDemandFeaturesAreComputedFromTheValuesReadAndTheRequest() {
    Map<String, List<Object>> entities = Map.of("user_id", List.of(1, 2, 3, 4));
    Map<String, List<Object>> context = new LinkedHashMap<>();
    context.put("amount", Arrays.asList(120, "30.5", 10.0, null)); // JSON numbers and strings convert
    context.put("seen_at", List.of("2026-03-31T23:00:00Z", "2026-03-31T03:00:00Z", "2026-03-31", "2026-03-31T12:00:00+08:00"));
    OnlineResponse r = reader().read(new OnlineRequest(FeatureResolver.service(defs, "fraud", 0), entities, context, false));
    assertThat(r.features()).extracting(FeatureColumn::name).containsExactly("last_amount", "band", "score", "domestic");
    FeatureColumn band = r.features().get(1);
    assertThat(band.values()).containsExactly("high", "low", "low", "low");
    assertThat(band.statuses()).containsOnly(FeatureStatus.PRESENT);
    assertThat(band.eventTimes()).containsOnlyNulls();
    FeatureColumn score = r.features().get(2);
    assertThat(score.values()).containsExactly(120.0 + 50.0, 30.5, 10.0, null);
    assertThat(score.statuses()).containsExactly(FeatureStatus.PRESENT, FeatureStatus.PRESENT, FeatureStatus.PRESENT,
        FeatureStatus.NULL_VALUE);
    FeatureColumn domestic = r.features().get(3);
    assertThat(domestic.values()).containsExactly(true, null, null, null);
    assertThat(domestic.statuses()).containsExactly(FeatureStatus.PRESENT, FeatureStatus.NULL_VALUE,
        FeatureStatus.NULL_VALUE, FeatureStatus.NULL_VALUE);
    FeatureColumn base = r.features().getFirst();
    assertThat(base.statuses()).containsExactly(FeatureStatus.PRESENT, FeatureStatus.PRESENT,
        FeatureStatus.OUTSIDE_MAX_AGE, FeatureStatus.NOT_FOUND);

    OnlineResponse night = reader().read(new OnlineRequest(List.of(FeatureRef.of("txn_risk:night")), Map.of(), context, true));
    assertThat(night.features().getFirst().name()).isEqualTo("txn_risk__night");
    assertThat(night.features().getFirst().values()).containsExactly(false, true, true, true);
  }

  @Test
  void theOldEntryPointStillServesColumnsAndViewDerivedFeatures() {
    OnlineResponse r = new OnlineReader(defs, store, Runnable::run, Clock.fixed(NOW, ZoneOffset.UTC))
        .read(List.of(FeatureRef.of("user_txn:amount_x2")), Map.of("user_id", List.of(1, 2)), false);
    assertThat(r.features().getFirst().values()).containsExactly(100.0, 0.0);
  }

  @Test
  void missingOrMistypedRequestDataIsTheCallersError() {
    var refs = List.of(FeatureRef.of("txn_risk:ratio"));
    assertThatThrownBy(() -> reader().read(new OnlineRequest(refs, Map.of("user_id", List.of(1)), Map.of(), false)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("on-demand view txn_risk@v1 needs request field 'amount' (float64), as an entity column or in"
            + " the request context; the request has: user_id");
    assertThatThrownBy(() -> reader().read(new OnlineRequest(refs, Map.of("user_id", List.of(1)),
        Map.of("amount", List.of("lots")), false)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("request field 'amount' (of on-demand view txn_risk@v1) is float64, but got 'lots'");
    assertThatThrownBy(() -> reader().read(new OnlineRequest(refs, Map.of("user_id", List.of(1)),
        Map.of("amount", List.of(1.0, 2.0)), false)))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("different lengths");
  }

  @Test
  void requestDataMayArriveAsEntityColumnsAsFeastSendsIt() {
    var refs = FeatureResolver.service(defs, "fraud", 0);
    Map<String, List<Object>> context = new LinkedHashMap<>();
    context.put("amount", Arrays.asList(120, "30.5", 10.0, null));
    context.put("seen_at", List.of("2026-03-31T23:00:00Z", "2026-03-31T03:00:00Z", "2026-03-31", "2026-03-31T12:00:00+08:00"));
    OnlineResponse asContext = reader().read(new OnlineRequest(refs, Map.of("user_id", List.of(1, 2, 3, 4)), context, false));

    Map<String, List<Object>> entities = new LinkedHashMap<>();
    entities.put("amount", context.get("amount"));
    entities.put("user_id", List.of(1, 2, 3, 4));
    entities.put("seen_at", context.get("seen_at"));
    OnlineResponse asEntities = reader().read(new OnlineRequest(refs, entities, Map.of(), false));
    assertThat(asEntities.entities()).as("only join keys are echoed, as Feast's server does").containsOnlyKeys("user_id");
    assertThat(asEntities.features()).isEqualTo(asContext.features());

    Map<String, List<Object>> mixed = new LinkedHashMap<>(Map.of("user_id", List.of(1, 2, 3, 4), "amount", context.get("amount")));
    OnlineResponse split = reader().read(new OnlineRequest(refs, mixed, Map.of("seen_at", context.get("seen_at")), false));
    assertThat(split.features()).isEqualTo(asContext.features());

    // request data alone, no keys at all: the rows are the request's
    OnlineResponse night = reader().read(new OnlineRequest(List.of(FeatureRef.of("txn_risk:night")),
        Map.of("seen_at", context.get("seen_at")), Map.of(), false));
    assertThat(night.entities()).isEmpty();
    assertThat(night.rows()).isEqualTo(4);
    assertThat(night.features().getFirst().values()).containsExactly(false, true, true, true);
  }

  @Test
  void aRequestFieldGivenTwiceOrAnEntityColumnNothingReadsIsRefused() {
    var ratio = List.of(FeatureRef.of("txn_risk:ratio"));
    assertThatThrownBy(() -> reader().read(new OnlineRequest(ratio, Map.of("user_id", List.of(1), "amount", List.of(2.0)),
        Map.of("amount", List.of(3.0)), false)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("request field 'amount' is given twice, as an entity column and in the request context");
    assertThatThrownBy(() -> reader().read(new OnlineRequest(List.of(FeatureRef.of("user_txn:last_amount")),
        Map.of("user_id", List.of(1), "amount", List.of(2.0)), Map.of(), false)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("entity column 'amount' is neither a join key of the views read (user_id) nor a request field"
            + " of the requested on-demand views (none)");
    assertThatThrownBy(() -> reader().read(new OnlineRequest(ratio, Map.of("user_id", List.of(1), "amount", List.of(2.0),
        "colour", List.of("red")), Map.of(), false)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("entity column 'colour' is neither a join key of the views read (user_id) nor a request field"
            + " of the requested on-demand views (amount, seen_at)");
    // a field the requested on-demand view declares but the requested feature does not read is accepted and ignored
    OnlineResponse r = reader().read(new OnlineRequest(ratio, Map.of("user_id", List.of(1), "amount", List.of(100.0),
        "seen_at", List.of("not even a time")), Map.of(), false));
    assertThat(r.features().getFirst().values()).containsExactly(2.0);
  }

  @Test
  void theAnswerNamesTheViewsItRead() {
    Map<String, List<Object>> entities = Map.of("user_id", List.of(1), "amount", List.of(3.0));
    OnlineResponse ratio = reader().read(new OnlineRequest(List.of(FeatureRef.of("txn_risk:ratio")), entities, Map.of(), false));
    assertThat(ratio.viewsRead()).as("an on-demand feature reads its input view").containsExactly(new VersionedName("user_txn", 1));
    OnlineResponse night = reader().read(new OnlineRequest(List.of(FeatureRef.of("txn_risk:night")),
        Map.of("seen_at", List.of("2026-03-31T03:00:00Z")), Map.of(), false));
    assertThat(night.viewsRead()).as("request data alone reads no view").isEmpty();
    OnlineResponse plain = reader().read(List.of(FeatureRef.of("user_txn:last_amount"), FeatureRef.of("user_txn:last_country")),
        Map.of("user_id", List.of(1)), false);
    assertThat(plain.viewsRead()).containsExactly(new VersionedName("user_txn", 1));
  }

  @Test
  void errorsSayWhatKindOfThingIsMissingOrWrong() {
    Map<String, List<Object>> user = Map.of("user_id", List.of(1));
    assertThatThrownBy(() -> reader().read(List.of(FeatureRef.of("user_txn:nope")), user, false))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.kind()).isEqualTo(NotFoundException.Kind.FEATURE));
    assertThatThrownBy(() -> reader().read(List.of(FeatureRef.of("user_tx:last_amount")), user, false))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.kind()).isEqualTo(NotFoundException.Kind.FEATURE_VIEW));
    assertThatThrownBy(() -> reader().read(List.of(FeatureRef.of("user_txn@v7:last_amount")), user, false))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.kind()).isEqualTo(NotFoundException.Kind.VIEW_VERSION));
    assertThatThrownBy(() -> FeatureResolver.service(defs, "frau", 0))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.kind()).isEqualTo(NotFoundException.Kind.FEATURE_SERVICE));
    assertThatThrownBy(() -> reader().read(List.of(FeatureRef.of("user_txn:last_amount"), FeatureRef.of("user_txn:last_amount")),
        user, false))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidRequestException.Reason.DUPLICATE_NAMES));
    assertThatThrownBy(() -> reader().read(List.of(FeatureRef.of("txn_risk:ratio")), user, false))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidRequestException.Reason.MISSING_REQUEST_DATA));
    assertThatThrownBy(() -> reader().read(List.of(FeatureRef.of("user_txn:last_amount")), Map.of("user_id", List.of("x")), false))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.reason()).isEqualTo(InvalidRequestException.Reason.OTHER));
  }
}
