package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineRequest;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An on-demand view that reads request data alone ({@code inputs: [request: {...}]}, no feature
 * view): online through {@code FeatureRepo} and {@code quiver online --request} without {@code
 * --entity}, in training sets with no view joined at all and mixed with a view, in a feature
 * service, and the same values online and offline. The view {@code user_txn} has no TTL, so the
 * answers do not depend on today's date.
 */
class RequestOnlyViewTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");

  static final String DEFINITIONS = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - {name: txns, path: data/txns.parquet, timestamp: event_ts}
      feature_views:
        - name: user_txn
          entities: [user]
          source: txns
          features:
            - {name: last_amount, column: amount}
      on_demand_views:
        - name: fee
          inputs: [request: {amount: float64, card_country: string}]
          features:
            - {name: fee, expr: "round(request.amount * 0.029 + 0.3, 2)"}
            - {name: foreign, expr: "request.card_country != 'DE'"}
            - {name: band, expr: "case when fee >= 3 then 'large' else 'small' end"}
      feature_services:
        - {name: pricing, features: [fee:fee, fee:foreign, user_txn:last_amount]}
      """;

  @TempDir Path tmp;
  Path repo;
  String r;

  @BeforeEach
  void repo() throws Exception {
    repo = tmp.resolve("repo");
    r = repo.toString();
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: pricing
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """);
    Files.writeString(repo.resolve("features/defs.yaml"), DEFINITIONS);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT * FROM (VALUES (1::BIGINT, TIMESTAMP '2026-01-05 10:00:00', 12.5::DOUBLE),"
          + " (2::BIGINT, TIMESTAMP '2026-01-06 11:00:00', 80.0::DOUBLE)) t(user_id, event_ts, amount))"
          + " TO '" + repo.resolve("data/txns.parquet") + "' (FORMAT parquet)");
    }
    Cli apply = Cli.run("apply", "--repo", r);
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    Cli materialize = Cli.run("materialize", "2025-01-01", "2026-02-01", "--repo", r);
    assertThat(materialize.exitCode()).as(materialize.toString()).isZero();
  }

  @Test
  void onlineTheRowsComeFromTheRequestData() {
    Map<String, List<Object>> request = new LinkedHashMap<>();
    request.put("amount", Arrays.asList(10.5, 100.0, null));
    request.put("card_country", Arrays.asList("DE", "FR", "DE"));
    List<FeatureRef> refs = List.of(FeatureRef.of("fee:fee"), FeatureRef.of("fee:foreign"), FeatureRef.of("fee:band"));
    try (FeatureRepo fr = FeatureRepo.open(repo, Clock.fixed(NOW, ZoneOffset.UTC))) {
      OnlineResponse asContext = fr.getOnlineFeatures(new OnlineRequest(refs, Map.of(), request, false));
      assertThat(asContext.entities()).isEmpty();
      assertThat(asContext.viewsRead()).as("no view is read").isEmpty();
      assertThat(asContext.features()).extracting(FeatureColumn::name).containsExactly("fee", "foreign", "band");
      assertThat(asContext.features().get(0).values()).containsExactly(0.6, 3.2, null);
      assertThat(asContext.features().get(0).statuses())
          .containsExactly(FeatureStatus.PRESENT, FeatureStatus.PRESENT, FeatureStatus.NULL_VALUE);
      assertThat(asContext.features().get(1).values()).containsExactly(false, true, false);
      assertThat(asContext.features().get(2).values()).containsExactly("small", "large", "small");

      // as Feast's clients send it: request data as the columns of 'entities'
      OnlineResponse asEntities = fr.getOnlineFeatures(new OnlineRequest(refs, request, Map.of(), false));
      assertThat(asEntities.entities()).as("request data is not echoed").isEmpty();
      assertThat(asEntities.features()).isEqualTo(asContext.features());

      // mixed with a view's feature in one request: keys for the view, request data for the fee
      Map<String, List<Object>> entities = new LinkedHashMap<>();
      entities.put("user_id", List.of(1L, 2L, 3L));
      entities.put("amount", request.get("amount"));
      OnlineResponse mixed = fr.getOnlineFeatures(new OnlineRequest(
          List.of(FeatureRef.of("user_txn:last_amount"), FeatureRef.of("fee:fee")), entities, Map.of(), true));
      assertThat(mixed.entities()).containsOnlyKeys("user_id");
      assertThat(mixed.features()).extracting(FeatureColumn::name).containsExactly("user_txn__last_amount", "fee__fee");
      assertThat(mixed.features().get(0).values()).containsExactly(12.5, 80.0, null);
      assertThat(mixed.features().get(0).statuses())
          .containsExactly(FeatureStatus.PRESENT, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND);
      assertThat(mixed.features().get(1).values()).containsExactly(0.6, 3.2, null);
    }
  }

  @Test
  void quiverOnlineTakesRequestDataWithoutEntities() throws Exception {
    Cli one = Cli.run("online", "--repo", r, "--features", "fee:fee", "--request", "amount=10.5");
    assertThat(one.exitCode()).as(one.toString()).isZero();
    assertThat(one.out()).contains("fee", "0.6").doesNotContain("user_id");

    Cli rows = Cli.run("online", "--repo", r, "--features", "fee:fee,fee:foreign,fee:band", "--request",
        "amount=10.5,100,card_country=DE,FR", "--output", "json");
    assertThat(rows.exitCode()).as(rows.toString()).isZero();
    JsonNode json = JSON.readTree(rows.out());
    assertThat(json.path("metadata").path("feature_names").toString()).isEqualTo("[\"fee\",\"foreign\",\"band\"]");
    assertThat(json.path("results").get(0).path("values").toString()).isEqualTo("[0.6,3.2]");
    assertThat(json.path("results").get(1).path("values").toString()).isEqualTo("[false,true]");
    assertThat(json.path("results").get(2).path("values").toString()).isEqualTo("[\"small\",\"large\"]");

    Cli service = Cli.run("online", "--repo", r, "--service", "pricing", "--entity", "user_id=1,2", "--request",
        "amount=100,card_country=FR", "--output", "json");
    assertThat(service.exitCode()).as(service.toString()).isZero();
    JsonNode served = JSON.readTree(service.out());
    assertThat(served.path("metadata").path("feature_names").toString())
        .isEqualTo("[\"user_id\",\"fee\",\"foreign\",\"last_amount\"]");
    assertThat(served.path("results").get(1).path("values").toString()).isEqualTo("[3.2,3.2]");
    assertThat(served.path("results").get(3).path("values").toString()).isEqualTo("[12.5,80.0]");

    Cli missing = Cli.run("online", "--repo", r, "--features", "fee:fee");
    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(1);
    assertThat(missing.err().strip()).isEqualTo("error: the requested features need request data: amount (float64) of on-demand"
        + " view fee@v1; add --request amount=10.5");
  }

  @Test
  void trainingSetsComputeThemFromTheQueryRowsWithNoViewJoined() throws Exception {
    String query = "SELECT * FROM (VALUES (1::BIGINT, TIMESTAMP '2026-02-01 00:00:00', 10.5::DOUBLE, 'DE'),"
        + " (2::BIGINT, TIMESTAMP '2026-02-01 00:00:00', 100.0::DOUBLE, 'FR'),"
        + " (3::BIGINT, TIMESTAMP '2026-02-01 00:00:00', NULL::DOUBLE, NULL::VARCHAR))"
        + " t(user_id, event_timestamp, amount, card_country)";
    Path out = tmp.resolve("fees.parquet");
    Cli alone = Cli.run("historical", "--repo", r, "--query-sql", query, "--features", "fee:fee,fee:foreign,fee:band",
        "--out", out.toString(), "--preview", "3");
    assertThat(alone.exitCode()).as(alone.toString()).isZero();
    assertThat(alone.out()).contains("Wrote 3 rows x 3 features");
    try (FeatureRepo fr = FeatureRepo.open(repo); HistoricalRows rows = fr.offline().read(out, FileFormat.PARQUET)) {
      assertThat(rows.columns()).extracting(PointInTimePlan.Column::name)
          .containsExactly("user_id", "event_timestamp", "amount", "card_country", "fee", "foreign", "band");
      assertThat(Arrays.asList(rows.next())).endsWith(0.6, false, "small");
      assertThat(Arrays.asList(rows.next())).endsWith(3.2, true, "large");
      assertThat(Arrays.asList(rows.next())).endsWith(null, null, "small");
      assertThat(rows.hasNext()).isFalse();
    }

    // the service mixes it with a view: one join, the fee from the same query rows
    try (FeatureRepo fr = FeatureRepo.open(repo);
        HistoricalRows rows = fr.getHistoricalFeatures(HistoricalRequest.ofService(new QueryInput.Sql(query), "pricing"))) {
      assertThat(rows.columns()).extracting(PointInTimePlan.Column::name)
          .containsExactly("user_id", "event_timestamp", "amount", "card_country", "fee", "foreign", "last_amount");
      assertThat(Arrays.asList(rows.next())).endsWith(0.6, false, 12.5);
      assertThat(Arrays.asList(rows.next())).endsWith(3.2, true, 80.0);
      assertThat(Arrays.asList(rows.next())).endsWith(null, null, null);
    }

    Cli explain = Cli.run("historical", "--repo", r, "--query-sql", query, "--features", "fee:fee", "--out", out.toString(),
        "--explain");
    assertThat(explain.exitCode()).as(explain.toString()).isZero();
    assertThat(explain.out()).contains("derived features").doesNotContain("__quiver_source_");

    Cli lacking = Cli.run("historical", "--repo", r, "--query-sql", "SELECT TIMESTAMP '2026-02-01' AS event_timestamp, 1.5 AS amt",
        "--features", "fee:fee", "--out", out.toString());
    assertThat(lacking.exitCode()).as(lacking.toString()).isEqualTo(1);
    assertThat(lacking.err()).contains("on-demand view fee@v1 needs request field 'amount' (float64): offline it comes from the"
        + " query rows, which have no column 'amount'").doesNotContain("\tat ");

    Cli untimed = Cli.run("historical", "--repo", r, "--query-sql", "SELECT 1.5 AS amount, 'DE' AS card_country",
        "--features", "fee:fee", "--out", out.toString());
    assertThat(untimed.exitCode()).as(untimed.toString()).isEqualTo(1);
    assertThat(untimed.err()).as("query rows have a time even when no view is joined")
        .contains("the query rows need a timestamp column: name it event_timestamp or pass --timestamp-column");
  }

  @Test
  void onlineEqualsOfflineForTheRequestOnlyFeatures() throws Exception {
    SplittableRandom random = new SplittableRandom(18);
    int n = 40;
    List<Object> users = new ArrayList<>();
    List<Object> amounts = new ArrayList<>();
    List<Object> countries = new ArrayList<>();
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < n; i++) {
      long user = random.nextInt(1, 4);
      Double amount = random.nextInt(8) == 0 ? null : random.nextInt(6) == 0 ? 0.0 : random.nextDouble(-50, 500);
      String country = random.nextInt(8) == 0 ? null : List.of("DE", "FR", "US").get(random.nextInt(3));
      users.add(user);
      amounts.add(amount);
      countries.add(country);
      values.append(i == 0 ? "" : ", ").append("(").append(user).append("::BIGINT, TIMESTAMP '2026-03-01 00:00:00', ")
          .append(amount == null ? "NULL" : Double.toString(amount)).append("::DOUBLE, ")
          .append(country == null ? "NULL" : "'" + country + "'").append("::VARCHAR)");
    }
    String query = "SELECT * FROM (VALUES " + values + ") t(user_id, event_timestamp, amount, card_country)";
    List<FeatureRef> alone = List.of(FeatureRef.of("fee:fee"), FeatureRef.of("fee:foreign"), FeatureRef.of("fee:band"));
    List<FeatureRef> mixed = List.of(FeatureRef.of("user_txn:last_amount"), FeatureRef.of("fee:fee"), FeatureRef.of("fee:band"));
    Map<String, List<Object>> request = new LinkedHashMap<>();
    request.put("amount", amounts);
    request.put("card_country", countries);
    int compared = 0;
    try (FeatureRepo fr = FeatureRepo.open(repo, Clock.fixed(NOW, ZoneOffset.UTC))) {
      for (List<FeatureRef> refs : List.of(alone, mixed)) {
        OnlineResponse online = fr.getOnlineFeatures(new OnlineRequest(refs, refs == alone ? Map.of() : Map.of("user_id", users),
            request, false));
        try (HistoricalRows offline = fr.getHistoricalFeatures(HistoricalRequest.ofFeatures(new QueryInput.Sql(query), refs))) {
          int width = offline.columns().size() - refs.size();
          for (int i = 0; offline.hasNext(); i++) {
            Object[] row = offline.next();
            for (int f = 0; f < refs.size(); f++) {
              Object want = row[width + f];
              Object got = online.features().get(f).values().get(i);
              assertThat(same(want, got)).as("row %d %s: offline %s, online %s", i, refs.get(f), want, got).isTrue();
              compared++;
            }
          }
        }
      }
    }
    assertThat(compared).isEqualTo(2 * n * 3);
  }

  @Test
  void describeSaysItReadsRequestDataAlone() {
    Cli describe = Cli.run("describe", "fee", "--repo", r);
    assertThat(describe.exitCode()).as(describe.toString()).isZero();
    assertThat(describe.out()).contains("  inputs: none (request data alone)\n  request: amount float64, card_country string\n",
        "read by: pricing@v1");
  }

  /** Doubles by their bits (so -0.0 and NaN count). */
  private static boolean same(Object a, Object b) {
    if (a instanceof Double x && b instanceof Double y) {
      return Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(y);
    }
    return Objects.equals(a, b);
  }
}
