package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.Principal;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.server.http.HttpApiAccess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Permissions enforced on every HTTP route and gRPC call, with the denials and the writes recorded
 * in the audit log, and a new registry version's permissions taking effect without a restart.
 */
class AuthorizationTest {
  static final String PERMISSIONS = """
      permissions:
        - {name: pii-readers, roles: [risk], actions: [read_online, describe], resources: {tags: {pii: "true"}}}
        - {name: scorers, roles: [scoring], actions: [read_online], resources: {kinds: [feature_service], names: ["scor*"]}}
        - {name: ingest, roles: [ingest], actions: [push], resources: {kinds: [source, feature_view], names: [txns, user_stats]}}
        - {name: operators, roles: [ops], actions: [materialize, describe]}
        - {name: platform, roles: [platform], actions: [admin]}
        - {name: anyone-reads-risk, roles: ["*"], actions: [read_online], resources: {kinds: [feature_service], names: [risk]}}
      """;

  static final Caller EVE = new Caller(new Principal("eve", Set.of("intern"), "token"), "10.0.0.9:40000");
  static final Caller RISK = new Caller(new Principal("ana", Set.of("risk"), "jwt"), "10.0.0.1:40001");
  static final Caller SCORING = new Caller(new Principal("model-svc", Set.of("scoring"), "token"), "10.0.0.2:40002");
  static final Caller INGEST = new Caller(new Principal("etl", Set.of("ingest"), "token"), "10.0.0.3:40003");
  static final Caller OPS = new Caller(new Principal("oncall", Set.of("ops"), "jwt"), "10.0.0.4:40004");
  static final Caller ADMIN = new Caller(new Principal("root", Set.of("platform"), "mtls"), "10.0.0.5:40005");

  @TempDir Path tmp;
  Path root;
  FeatureRepo repo;
  QuiverServer server;
  HttpApiAccess api;

  @BeforeEach
  void start() throws IOException {
    root = TestRepo.rocksdb(tmp.resolve("repo"));
    apply(TestRepo.DEFINITIONS.replace("    owner: risk-team\n", "    owner: risk-team\n    tags: {pii: \"true\"}\n")
        + PERMISSIONS);
    repo = FeatureRepo.open(root);
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, 0));
    api = new HttpApiAccess(server.serving(), server.operations());
  }

  @AfterEach
  void stop() {
    server.close();
    repo.close();
  }

  private void apply(String definitions) throws IOException {
    Files.writeString(root.resolve("features/defs.yaml"), definitions);
    try (FeatureRepo r = FeatureRepo.open(root)) {
      r.apply(r.plan(false), "test", "permissions", false);
    }
  }

  static final String READ_VIEW = "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [3]}}";
  static final String READ_SCORING = "{\"feature_service\": \"scoring\", \"entities\": {\"user_id\": [3]}}";
  static final String PUSH = """
      {"push_source_name": "txns", "to": "online",
       "df": {"user_id": [5], "event_ts": ["2026-01-20T00:00:00Z"], "created_ts": ["2026-01-20T00:00:00Z"],
              "amount": [9.5], "country": ["JP"], "visits": [7], "vip": [true], "tags": [["p"]],
              "seen_at": ["2026-01-20T00:00:00Z"]}}""";
  static final String WRITE = """
      {"feature_view_name": "user_stats",
       "df": {"user_id": [6], "event_ts": ["2026-01-20T00:00:00Z"], "amount": [1.5], "country": ["FR"],
              "visits": [1], "vip": [false], "tags": [["w"]], "seen_at": ["2026-01-20T00:00:00Z"]}}""";
  static final String MATERIALIZE = "{\"start_ts\": \"2025-01-01T00:00:00Z\", \"end_ts\": \"2026-01-31T00:00:00Z\","
      + " \"feature_views\": [\"user_stats\"]}";
  static final String INCREMENTAL = "{\"end_ts\": \"2026-01-31T00:00:00Z\", \"feature_views\": [\"user_stats\"]}";
  static final String DELETE = "{\"feature_views\": [\"user_stats\"], \"entities\": {\"user_id\": [99]}}";

  /** Every route: who may call it, and what a caller without the permission gets. */
  record Route(String method, String path, String body, Caller allowed, String action, String resource) {}

  static final List<Route> ROUTES = List.of(
      new Route("POST", "/get-online-features", READ_VIEW, RISK, "read_online", "feature_view user_stats"),
      new Route("POST", "/get-online-features", READ_SCORING, SCORING, "read_online", "feature_service scoring"),
      new Route("POST", "/push", PUSH, INGEST, "push", "source txns"),
      new Route("POST", "/write-to-online-store", WRITE, INGEST, "push", "feature_view user_stats"),
      new Route("POST", "/materialize", MATERIALIZE, OPS, "materialize", "feature_view user_stats"),
      new Route("POST", "/materialize-incremental", INCREMENTAL, OPS, "materialize", "feature_view user_stats"),
      new Route("POST", "/online/delete", DELETE, OPS, "materialize", "feature_view user_stats"),
      new Route("GET", "/materialize/status", null, OPS, "describe", "registry *"),
      new Route("GET", "/ingest/status", null, OPS, "describe", "registry *"),
      new Route("GET", "/metrics", null, OPS, "describe", "registry *"),
      new Route("GET", "/api/v1/feature-views/user_stats", null, RISK, "describe", "feature_view user_stats"),
      new Route("GET", "/api/v1/registry", null, OPS, "describe", "registry *"),
      new Route("GET", "/api/v1/registry/versions", null, OPS, "describe", "registry *"),
      new Route("GET", "/api/v1/permissions", null, OPS, "describe", "registry *"));

  @Test
  void everyRouteDeniesACallerWithoutThePermissionAndServesOneWithIt() {
    for (Route r : ROUTES) {
      HttpApiAccess.Reply denied = api.call(r.method(), r.path(), r.body(), EVE);
      assertThat(denied.status()).as(r.path() + " " + denied.body()).isEqualTo(403);
      assertThat(denied.body()).as(r.path()).contains("forbidden", "eve", r.action(), r.resource(), "<default deny>");

      HttpApiAccess.Reply ok = api.call(r.method(), r.path(), r.body(), r.allowed());
      assertThat(ok.status()).as(r.path() + " as " + r.allowed().principal() + ": " + ok.body()).isEqualTo(200);

      HttpApiAccess.Reply admin = api.call(r.method(), r.path(), r.body(), ADMIN);
      assertThat(admin.status()).as(r.path() + " as admin: " + admin.body()).isEqualTo(200);
    }
    assertThat(api.call("GET", "/health", null, EVE).status()).as("liveness is open").isEqualTo(200);
    assertThat(api.call("GET", "/ready", null, EVE).status()).as("readiness is open").isEqualTo(200);
  }

  @Test
  void rulesMatchByTagByNameAndByKind() {
    // ana reads what is tagged pii=true: the view, not the untagged on-demand view or the services
    assertThat(api.call("POST", "/get-online-features", READ_SCORING, RISK).status()).isEqualTo(403);
    assertThat(api.call("POST", "/get-online-features",
        "{\"features\": [\"user_stats:amount\", \"txn_risk:amount_ratio\"], \"entities\": {\"user_id\": [3]},"
            + " \"request_context\": {\"txn_amount\": [1.0]}}", RISK).body())
        .contains("on_demand_view txn_risk", "<default deny>");
    // the scoring service by name pattern, but none of the views it reads directly
    assertThat(api.call("POST", "/get-online-features", READ_VIEW, SCORING).status()).isEqualTo(403);
    // ingest pushes to the source, but may not materialize
    assertThat(api.call("POST", "/materialize", MATERIALIZE, INGEST).status()).isEqualTo(403);
    // the role * reaches every principal, anonymous too
    String risk = "{\"feature_service\": \"risk\", \"entities\": {\"user_id\": [3]}, \"request_context\": {\"txn_amount\": [1.0]}}";
    assertThat(api.call("POST", "/get-online-features", risk, Caller.anonymous("127.0.0.1:1")).status()).isEqualTo(200);
    assertThat(api.call("POST", "/get-online-features", risk, EVE).status()).isEqualTo(200);
  }

  @Test
  void catalogueListsHoldOnlyWhatTheCallerMayDescribe() {
    JsonNode forRisk = Http.Reply.class.cast(new Http.Reply(200, api.call("GET", "/api/v1/feature-views", null, RISK).body(), "")).json();
    assertThat(forRisk.get("feature_views")).extracting(v -> v.get("name").asText()).containsExactly("user_stats");
    JsonNode forEve = new Http.Reply(200, api.call("GET", "/api/v1/feature-views", null, EVE).body(), "").json();
    assertThat(forEve.get("feature_views")).isEmpty();
    JsonNode features = new Http.Reply(200, api.call("GET", "/api/v1/features", null, RISK).body(), "").json();
    assertThat(features.get("features")).isNotEmpty().allSatisfy(f -> assertThat(f.get("view").asText()).isEqualTo("user_stats"));
    JsonNode perms = new Http.Reply(200, api.call("GET", "/api/v1/permissions", null, ADMIN).body(), "").json();
    assertThat(perms.get("permissions")).extracting(p -> p.get("name").asText()).contains("pii-readers", "platform");
  }

  @Test
  void grpcDeniesWithPermissionDeniedAndServesWhatTheRoleStarGrants() throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      var stub = ServingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      assertThatThrownBy(() -> stub.getOnlineFeatures(GrpcServerTest.features("user_stats:amount")
          .putEntities("user_id", GrpcServerTest.int64s(3)).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).contains("anonymous", "read_online", "feature_view user_stats",
                "<default deny>");
          });
      assertThat(stub.getOnlineFeatures(GetOnlineFeaturesRequest.newBuilder().setFeatureService("risk")
          .putEntities("user_id", GrpcServerTest.int64s(3))
          .putRequestContext("txn_amount", dev.quiver.grpc.feast.types.RepeatedValue.newBuilder()
              .addVal(dev.quiver.grpc.feast.types.Value.newBuilder().setDoubleVal(1.0)).build()).build())
          .getResultsCount()).isEqualTo(3);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void denialsPushesWritesAndMaterializationsAreAuditedButReadsAreNot() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    assertThat(api.call("POST", "/get-online-features", READ_VIEW, RISK).status()).isEqualTo(200);
    assertThat(api.call("POST", "/push", PUSH, EVE).status()).isEqualTo(403);
    assertThat(api.call("POST", "/push", PUSH, INGEST).status()).isEqualTo(200);
    assertThat(api.call("POST", "/write-to-online-store", WRITE, INGEST).status()).isEqualTo(200);
    assertThat(api.call("POST", "/materialize", MATERIALIZE, OPS).status()).isEqualTo(200);
    assertThat(api.call("POST", "/online/delete", DELETE, OPS).status()).isEqualTo(200);
    assertThat(api.call("POST", "/push", PUSH.replace("\"txns\"", "\"nope\""), ADMIN).status()).isEqualTo(404);

    List<AuditEvent> events = awaitEvents(before, 6);
    assertThat(events).extracting(e -> e.principal() + " " + e.action() + " " + e.resource() + " " + e.outcome())
        .containsExactly(
            "eve push source txns denied",
            "etl push source txns ok",
            "etl write feature_view user_stats ok",
            "oncall materialize feature_view user_stats ok",
            "oncall online_delete feature_view user_stats ok",
            "root push source nope failed");
    AuditEvent denial = events.getFirst();
    assertThat(denial.method()).isEqualTo("token");
    assertThat(denial.client()).isEqualTo("10.0.0.9:40000");
    assertThat(denial.detail()).contains("<default deny>");
    assertThat(events.get(1).detail()).startsWith("1 rows, 1 written");
    assertThat(events.get(3).detail()).contains("from 2025-01-01T00:00:00Z to 2026-01-31T00:00:00Z", "rows written");
    assertThat(events.get(5).detail()).contains("nope");
  }

  @Test
  void aNewVersionsPermissionsTakeEffectWithoutARestart() throws IOException {
    assertThat(api.call("POST", "/get-online-features", READ_VIEW, EVE).status()).isEqualTo(403);
    apply(TestRepo.DEFINITIONS + """
        permissions:
          - {name: interns-read, roles: [intern], actions: [read_online], resources: {names: [user_stats]}}
        """);
    server.refreshRegistry();
    assertThat(api.call("POST", "/get-online-features", READ_VIEW, EVE).status()).isEqualTo(200);
    assertThat(api.call("POST", "/push", PUSH, EVE).body()).contains("forbidden", "<default deny>");
    apply(TestRepo.DEFINITIONS); // no permissions: everything is allowed again
    server.refreshRegistry();
    assertThat(api.call("POST", "/push", PUSH, EVE).status()).isEqualTo(200);
  }

  private List<AuditEvent> awaitEvents(Instant since, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<AuditEvent> events = List.of();
    while (System.nanoTime() < deadline) {
      events = repo.registry().audit().read(since, 1000);
      if (events.size() >= count) {
        break;
      }
      Thread.sleep(20);
    }
    return events;
  }
}
