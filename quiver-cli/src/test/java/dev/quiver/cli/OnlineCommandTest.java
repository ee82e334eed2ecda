package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver online}: request data for on-demand features ({@code --request}), keys and values
 * typed by the definitions, and JSON output equal to the feature server's for the same request.
 * The views have no TTL, so the answers do not depend on today's date.
 */
class OnlineCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  String r;

  @BeforeEach
  void repo() throws Exception {
    Path repo = tmp.resolve("repo");
    r = repo.toString();
    Files.createDirectories(repo.resolve("features"));
    Files.createDirectories(repo.resolve("data"));
    Files.writeString(repo.resolve("quiver.yaml"), """
        project: typed
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """);
    Files.writeString(repo.resolve("features/accounts.yaml"), """
        entities:
          - {name: account, join_keys: [account_id], type: int64}
          - {name: region, join_keys: [region_code], type: string}
        sources:
          - {name: accounts, path: data/accounts.parquet, timestamp: ts}
          - {name: regions, path: data/regions.parquet, timestamp: ts}
        feature_views:
          - name: account_state
            entities: [account]
            source: accounts
            features:
              - {name: balance}
              - {name: ratio}
              - {name: visits}
              - {name: active}
              - {name: opened}
              - {name: scores}
              - {name: token}
          - name: region_state
            entities: [region]
            source: regions
            features:
              - {name: population}
        on_demand_views:
          - name: payment_check
            inputs: [account_state, request: {amount: float64, currency: string, items: int64, at: timestamp, weights: list<float64>}]
            features:
              - {name: over_balance, expr: "request.amount > account_state.balance"}
              - {name: label, expr: "concat(request.currency, '-', cast(request.items as string))"}
              - {name: share, expr: "request.amount / nullif(account_state.balance, 0)"}
              - {name: days_open, expr: "(epoch_seconds(request.at) - epoch_seconds(account_state.opened)) / 86400"}
          - name: fee_check
            inputs: [account_state, request: {amount: float64}]
            features:
              - {name: fee, expr: "request.amount * 0.1"}
        """);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT * FROM (VALUES"
          + " (1::BIGINT, TIMESTAMP '2026-01-05 10:00:00', 0.1::DOUBLE + 0.2::DOUBLE, 1.5::FLOAT, 7, true, TIMESTAMP '2020-03-01 08:30:00.123456',"
          + "   [0.25, 1e-7, 12345.678901234], from_base64('aGk=')),"
          + " (2::BIGINT, TIMESTAMP '2026-01-06 11:00:00', 'NaN'::DOUBLE, -2.25::FLOAT, 0, false, TIMESTAMP '2021-07-04 00:00:00',"
          + "   []::DOUBLE[], NULL::BLOB))"
          + " t(account_id, ts, balance, ratio, visits, active, opened, scores, token))"
          + " TO '" + repo.resolve("data/accounts.parquet") + "' (FORMAT parquet)");
      s.execute("COPY (SELECT * FROM (VALUES ('north', TIMESTAMP '2026-01-01 00:00:00', 1200000::BIGINT),"
          + " ('south', TIMESTAMP '2026-01-01 00:00:00', 800::BIGINT)) t(region_code, ts, population))"
          + " TO '" + repo.resolve("data/regions.parquet") + "' (FORMAT parquet)");
    }
    Cli apply = Cli.run("apply", "--repo", r);
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    Cli materialize = Cli.run("materialize", "2025-01-01", "2026-02-01", "--repo", r);
    assertThat(materialize.exitCode()).as(materialize.toString()).isZero();
  }

  @Test
  void jsonKeepsKeyAndValueTypesExactlyAsTheServerWritesThem() throws Exception {
    String features = "account_state:balance,account_state:ratio,account_state:visits,account_state:active,account_state:opened,"
        + "account_state:scores,account_state:token,payment_check:over_balance,payment_check:label,payment_check:share,"
        + "payment_check:days_open";
    Cli cli = Cli.run("online", "--repo", r, "--features", features, "--entity", "account_id=1,2,3",
        "--request", "amount=10.5,currency=EUR,items=3", "--request", "at=2026-03-01T00:00:00Z,weights=[0.5,1.5]",
        "--output", "json");
    assertThat(cli.exitCode()).as(cli.toString()).isZero();
    assertThat(cli.out()).as("indented, as every --output json").startsWith("{\n  \"metadata\" : {\n    \"feature_names\" : [");
    JsonNode json = JSON.readTree(cli.out());
    JsonNode results = json.path("results");
    assertThat(results.get(0).path("values").toString()).isEqualTo("[1,2,3]"); // int64 keys as JSON numbers
    assertThat(results.get(1).path("values").toString()).isEqualTo("[0.30000000000000004,\"NaN\",null]");
    assertThat(results.get(2).path("values").toString()).isEqualTo("[1.5,-2.25,null]");
    assertThat(results.get(3).path("values").toString()).isEqualTo("[7,0,null]");
    assertThat(results.get(4).path("values").toString()).isEqualTo("[true,false,null]");
    assertThat(results.get(5).path("values").toString())
        .isEqualTo("[\"2020-03-01T08:30:00.123456Z\",\"2021-07-04T00:00:00Z\",null]");
    assertThat(results.get(6).path("values").toString()).isEqualTo("[[0.25,1.0E-7,12345.678901234],[],null]");
    assertThat(results.get(7).path("values").toString()).isEqualTo("[\"aGk=\",null,null]");
    assertThat(results.get(8).path("values").toString()).isEqualTo("[true,false,null]"); // 10.5 > NaN is false
    assertThat(results.get(9).path("values").toString()).isEqualTo("[\"EUR-3\",\"EUR-3\",\"EUR-3\"]");
    assertThat(results.get(10).path("values").get(0).asDouble()).isEqualTo(10.5 / (0.1 + 0.2));
    assertThat(results.get(11).path("values").get(0).asLong()).isEqualTo(2190);
    assertThat(results.get(1).path("statuses").toString()).isEqualTo("[\"PRESENT\",\"PRESENT\",\"NOT_FOUND\"]");

    // the feature server answers the same request with the same JSON, value for value
    JsonNode served = serve("{\"features\": " + JSON.writeValueAsString(List.of(features.split(","))) + ","
        + " \"entities\": {\"account_id\": [1, 2, 3]},"
        + " \"request_context\": {\"amount\": [10.5, 10.5, 10.5], \"currency\": [\"EUR\", \"EUR\", \"EUR\"], \"items\": [3, 3, 3],"
        + " \"at\": [\"2026-03-01T00:00:00Z\", \"2026-03-01T00:00:00Z\", \"2026-03-01T00:00:00Z\"],"
        + " \"weights\": [[0.5, 1.5], [0.5, 1.5], [0.5, 1.5]]}}");
    assertThat(json).isEqualTo(served);

    Cli strings = Cli.run("online", "--repo", r, "--features", "region_state:population", "--entity", "region_code=north,south",
        "--output", "json");
    JsonNode regions = JSON.readTree(strings.out()).path("results");
    assertThat(regions.get(0).path("values").toString()).isEqualTo("[\"north\",\"south\"]"); // string keys stay strings
    assertThat(regions.get(1).path("values").toString()).isEqualTo("[1200000,800]");
  }

  @Test
  void textShowsValuesExactly() {
    Cli cli = Cli.run("online", "--repo", r, "--features", "account_state:balance,account_state:opened,account_state:scores,"
        + "account_state:token,payment_check:share", "--entity", "account_id=1", "--request", "amount=10.5,currency=EUR,items=1,"
        + "at=2026-03-01,weights=[]");
    assertThat(cli.exitCode()).as(cli.toString()).isZero();
    assertThat(cli.out()).contains("0.30000000000000004", "2020-03-01T08:30:00.123456Z", "[0.25, 1.0E-7, 12345.678901234]", "aGk=",
        String.valueOf(10.5 / (0.1 + 0.2)));
  }

  @Test
  void requestDataPerRowAndRequestDataAlone() throws Exception {
    Cli perRow = Cli.run("online", "--repo", r, "--features", "payment_check:over_balance,payment_check:label",
        "--entity", "account_id=1,2", "--request", "amount=0.1,100,currency=EUR,USD", "--request", "items=1,2",
        "--request", "at=now,weights=[1.5]", "--output", "json");
    assertThat(perRow.exitCode()).as(perRow.toString()).isZero();
    JsonNode results = JSON.readTree(perRow.out()).path("results");
    assertThat(results.get(1).path("values").toString()).isEqualTo("[false,false]"); // 0.1 > 0.30000000000000004; 100 > NaN
    assertThat(results.get(2).path("values").toString()).isEqualTo("[\"EUR-1\",\"USD-2\"]");

    Cli alone = Cli.run("online", "--repo", r, "--features", "fee_check:fee", "--request", "amount=10,20", "--output", "json");
    assertThat(alone.exitCode()).as(alone.toString()).isZero();
    assertThat(JSON.readTree(alone.out()).path("results").get(0).path("values").toString()).isEqualTo("[1.0,2.0]");
  }

  @Test
  void mistakesAreOneLineErrorsWithTheFix() {
    String[][] cases = {
        {"--request amount: 'ten' is not a float64; write a number like 10.5",
            "--features", "fee_check:fee", "--entity", "account_id=1", "--request", "amount=ten"},
        {"--request weights: '[0.5,x]' is not a list<float64>; 'x' is not float64; write a list like [10.5,10.5]",
            "--features", "payment_check:label", "--entity", "account_id=1", "--request",
            "amount=1,currency=EUR,items=1,at=now,weights=[0.5,x]"},
        {"--request items: '1.5' is not an int64; write a whole number like 42",
            "--features", "payment_check:label", "--entity", "account_id=1", "--request", "amount=1,currency=EUR,items=1.5,at=now,weights=[]"},
        {"--request at: 'yesterday' is not a timestamp; write a time like now, 2026-03-01 or 2026-03-01T12:00:00Z (UTC)",
            "--features", "payment_check:label", "--entity", "account_id=1", "--request", "amount=1,currency=EUR,items=1,at=yesterday,weights=[]"},
        {"--request amout: the requested on-demand features have no request field 'amout'; did you mean 'amount'? (they have amount (float64) of on-demand view fee_check@v1)",
            "--features", "fee_check:fee", "--entity", "account_id=1", "--request", "amout=1"},
        {"--request amount: no requested feature reads request data",
            "--features", "account_state:balance", "--entity", "account_id=1", "--request", "amount=1"},
        {"the requested features need request data: currency (string), items (int64) of on-demand view payment_check@v1;"
            + " add --request currency=DE,items=42",
            "--features", "payment_check:label", "--entity", "account_id=1", "--request", "amount=1"},
        {"the requested features need request data: at (timestamp) of on-demand view payment_check@v1;"
            + " add --request at=2026-03-01T12:00:00Z", "--features", "payment_check:days_open", "--entity", "account_id=1"},
        {"--request amount has 3 values for 2 entity rows; give one value (for every row) or one per row",
            "--features", "fee_check:fee", "--entity", "account_id=1,2", "--request", "amount=1,2,3"},
        {"--request amount is given twice", "--features", "fee_check:fee", "--entity", "account_id=1", "--request", "amount=1",
            "--request", "amount=2"},
        {"--request '5' must look like FIELD=VALUE[,FIELD=VALUE...]", "--features", "fee_check:fee", "--request", "5"},
        {"entity column 'account_id' holds int64 keys, but got '01' (a string); expected an exact integer",
            "--features", "account_state:balance", "--entity", "account_id=01"},
        {"entity column 'account_id' holds int64 keys, but got '1e0' (a string)", "--features", "account_state:balance", "--entity", "account_id=1e0"},
        {"--entity acount_id: no entity has join key 'acount_id'; did you mean 'account_id'?",
            "--features", "account_state:balance", "--entity", "acount_id=1"},
        {"--entity amount: 'amount' is request data, not a join key; give it with --request amount=1",
            "--features", "fee_check:fee", "--entity", "amount=1"},
        {"give the entity keys to look up: --entity KEY=V1,V2", "--features", "account_state:balance"}};
    for (String[] c : cases) {
      List<String> args = new ArrayList<>(List.of("online", "--repo", r));
      args.addAll(List.of(c).subList(1, c.length));
      Cli cli = Cli.run(args.toArray(String[]::new));
      assertThat(cli.exitCode()).as(cli.toString()).isEqualTo(1);
      assertThat(cli.err()).as(cli.toString()).startsWith("error: " + c[0]).doesNotContain("\tat ");
      assertThat(cli.err().strip().lines()).as(cli.toString()).hasSize(1);
    }
  }

  /** The server's answer to a {@code /get-online-features} body, over the same repo. */
  private JsonNode serve(String body) throws Exception {
    try (FeatureRepo repo = FeatureRepo.open(Path.of(r));
        QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
        HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/get-online-features"))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return JSON.readTree(response.body());
    }
  }
}
