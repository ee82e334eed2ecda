package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.grpc.feast.serving.GetFeastServingInfoRequest;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.server.auth.ApiTokens;
import dev.quiver.server.auth.Jwts;
import dev.quiver.server.http.HttpApiAccess;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorization matrix (issue 20's proof): a real server with {@code auth: tokens,oidc} on loopback,
 * real API tokens in the file registry's token store, real JWTs signed against a JWKS file. Every HTTP
 * route ({@link HttpApiAccess#routes()}: a route added to the server and not here fails this test) and
 * every gRPC method of the served service, called with no credentials, a malformed header, an unknown
 * token, a revoked token, an expired JWT, a JWT for another audience (all 401 / {@code UNAUTHENTICATED}),
 * a valid principal without the permission (403 / {@code PERMISSION_DENIED}) and one with it (2xx);
 * the probes answer all eight. Then the audit records those calls produced: each denial with its rule,
 * each push, write, materialization and deletion with principal and method, one {@code token_use} per
 * principal and the authentication failures (rate-limited, never a token).
 */
class AuthorizationMatrixTest {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir Path dir;
  FeatureRepo repo;
  QuiverServer server;
  RSAKey key;
  /** Credentials by case name: the Authorization header (null: none). */
  final Map<String, String> bad = new LinkedHashMap<>();
  String intern; // valid, no permission but what role * grants
  String etl; // API token, role ingest
  String scorer; // API token, role scoring
  String alice; // JWT, role risk
  String oncall; // JWT, role ops
  final List<String> secrets = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    key = Jwts.rsa("idp-1");
    Path root = dir.resolve("repo");
    Files.createDirectories(root);
    Files.writeString(root.resolve("jwks.json"), Jwts.jwks(key));
    TestRepo.create(root, """
        online: {type: rocksdb, path: .quiver/online}
        server: {auth: "tokens,oidc", oidc_jwks: jwks.json, oidc_issuer: "%s", oidc_audience: %s, token_cache: 1s}"""
        .formatted(Jwts.ISSUER, Jwts.AUDIENCE));
    Files.writeString(root.resolve("features/defs.yaml"), TestRepo.DEFINITIONS
        .replace("    owner: risk-team\n", "    owner: risk-team\n    tags: {pii: \"true\"}\n") + AuthorizationTest.PERMISSIONS);
    try (FeatureRepo r = FeatureRepo.open(root)) {
      r.apply(r.plan(false), "test", "permissions", false);
    }
    repo = FeatureRepo.open(root);
    intern = "Bearer " + token("eve", "intern");
    etl = "Bearer " + token("etl", "ingest");
    scorer = "Bearer " + token("model-svc", "scoring");
    String revoked = token("gone", "ops");
    repo.registry().tokens().revoke(revoked.substring(4, 16), Instant.now());
    alice = "Bearer " + jwt("alice", "risk", b -> {});
    oncall = "Bearer " + jwt("oncall", "ops", b -> {});
    String unknown = ApiTokens.issue("never-stored", Set.of("ops"), Optional.empty(), Clock.systemUTC()).token();
    secrets.add(unknown.substring(17));
    bad.put("no credentials", null);
    bad.put("malformed header", "Basic dXNlcjpwYXNzd29yZA==");
    bad.put("unknown token", "Bearer " + unknown);
    bad.put("revoked token", "Bearer " + revoked);
    bad.put("expired JWT", "Bearer " + jwt("oncall", "ops", b -> b.expirationTime(Date.from(Instant.now().minusSeconds(3600)))));
    bad.put("wrong audience", "Bearer " + jwt("oncall", "ops", b -> b.audience("another-service")));
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, 0));
  }

  private String token(String name, String role) {
    ApiTokens.Issued issued = ApiTokens.issue(name, Set.of(role), Optional.of(Duration.ofDays(1)), Clock.systemUTC());
    repo.registry().tokens().create(issued.record());
    secrets.add(issued.token().substring(17)); // the secret part; the id before it is not secret
    return issued.token();
  }

  private String jwt(String subject, String role, java.util.function.Consumer<com.nimbusds.jwt.JWTClaimsSet.Builder> change) {
    String t = Jwts.sign(key, b -> {
      b.subject(subject).claim("roles", List.of(role));
      change.accept(b);
    });
    secrets.add(t.split("\\.")[2]); // the signature
    return t;
  }

  @AfterEach
  void stop() {
    server.close();
    repo.close();
  }

  /**
   * One HTTP route: who may call it, and what a valid caller without the permission gets.
   *
   * @param allowed the Authorization header of a caller with the permission
   * @param denial what the denial names ({@code action resource}); null when no permission is needed
   *     (the unauthorized caller is served) or when a list is filtered instead ({@code emptyList})
   * @param emptyList for a list: the field that is empty for a caller who may describe nothing in it
   */
  record Route(String method, String path, String body, Function<AuthorizationMatrixTest, String> allowed, String denial,
      String emptyList) {
    /** The {@link HttpApiAccess#routes()} entry this covers ({@code /api/v1/SECTION/NAME} is {@code /api/v1/SECTION}). */
    String route() {
      return path.startsWith("/api/v1/") && path.chars().filter(c -> c == '/').count() > 3
          ? path.substring(0, path.lastIndexOf('/')) : path;
    }
  }

  static final List<Route> ROUTES = List.of(
      new Route("POST", "/get-online-features", AuthorizationTest.READ_VIEW, t -> t.alice, "read_online feature_view user_stats", null),
      new Route("POST", "/push", AuthorizationTest.PUSH, t -> t.etl, "push source txns", null),
      new Route("POST", "/write-to-online-store", AuthorizationTest.WRITE, t -> t.etl, "push feature_view user_stats", null),
      new Route("POST", "/materialize", AuthorizationTest.MATERIALIZE, t -> t.oncall, "materialize feature_view user_stats", null),
      new Route("POST", "/materialize-incremental", AuthorizationTest.INCREMENTAL, t -> t.oncall,
          "materialize feature_view user_stats", null),
      new Route("POST", "/online/delete", AuthorizationTest.DELETE, t -> t.oncall, "materialize feature_view user_stats", null),
      new Route("GET", "/materialize/status", null, t -> t.oncall, "describe registry *", null),
      new Route("GET", "/ingest/status", null, t -> t.oncall, "describe registry *", null),
      new Route("GET", "/metrics", null, t -> t.oncall, "describe registry *", null),
      new Route("GET", "/whoami", null, t -> t.intern, null, null),
      new Route("GET", "/api/v1/entities/user", null, t -> t.oncall, "describe entity user", null),
      new Route("GET", "/api/v1/sources/txns", null, t -> t.oncall, "describe source txns", null),
      new Route("GET", "/api/v1/feature-views/user_stats", null, t -> t.alice, "describe feature_view user_stats", null),
      new Route("GET", "/api/v1/on-demand-views/txn_risk", null, t -> t.oncall, "describe on_demand_view txn_risk", null),
      new Route("GET", "/api/v1/feature-services/scoring", null, t -> t.oncall, "describe feature_service scoring", null),
      new Route("GET", "/api/v1/feature-views", null, t -> t.alice, null, "feature_views"),
      new Route("GET", "/api/v1/features", null, t -> t.alice, null, "features"),
      new Route("GET", "/api/v1/permissions", null, t -> t.oncall, "describe registry *", null),
      new Route("GET", "/api/v1/registry", null, t -> t.oncall, "describe registry *", null),
      new Route("GET", "/api/v1/registry/versions", null, t -> t.oncall, "describe registry *", null));

  static final List<String> PROBES = List.of("/health", "/ready");

  record Reply(int status, String body, String challenge) {}

  private Reply send(String method, String path, String body, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body(), r.headers().firstValue("WWW-Authenticate").orElse(""));
  }

  @Test
  void everyRouteAndMethodTimesEveryCredentialAndTheAuditItLeaves() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    long started = System.nanoTime();
    Set<String> covered = new TreeSet<>(PROBES);
    ROUTES.forEach(r -> covered.add(r.route()));
    assertThat(covered).as("the matrix covers every route the server answers, no more")
        .isEqualTo(new TreeSet<>(HttpApiAccess.routes()));

    int failures = 0;
    for (Route r : ROUTES) {
      for (Map.Entry<String, String> c : bad.entrySet()) {
        Reply reply = send(r.method(), r.path(), r.body(), c.getValue());
        assertThat(reply.status()).as(r.path() + " with " + c.getKey() + ": " + reply.body()).isEqualTo(401);
        assertThat(reply.challenge()).as(r.path()).startsWith("Bearer realm=\"quiver\"");
        assertThat(reply.body()).as(r.path()).contains("unauthenticated");
        failures++;
      }
      Reply unauthorized = send(r.method(), r.path(), r.body(), intern);
      if (r.denial() != null) {
        assertThat(unauthorized.status()).as(r.path() + " as eve: " + unauthorized.body()).isEqualTo(403);
        assertThat(unauthorized.body()).as(r.path()).contains("forbidden", "eve", r.denial(), "<default deny>");
      } else {
        assertThat(unauthorized.status()).as(r.path() + " as eve: " + unauthorized.body()).isEqualTo(200);
        if (r.emptyList() != null) {
          assertThat(Http.JSON.readTree(unauthorized.body()).get(r.emptyList())).as(r.path()).isEmpty();
        }
      }
      Reply ok = send(r.method(), r.path(), r.body(), r.allowed().apply(this));
      assertThat(ok.status()).as(r.path() + " authorized: " + ok.body()).isBetween(200, 299);
      if (r.emptyList() != null) {
        assertThat(Http.JSON.readTree(ok.body()).get(r.emptyList())).as(r.path()).isNotEmpty();
      }
    }
    List<String> everyone = new ArrayList<>(bad.values());
    everyone.add(intern);
    everyone.add(oncall);
    for (String probe : PROBES) {
      for (String credentials : everyone) {
        assertThat(send("GET", probe, null, credentials).status()).as(probe + " is open").isEqualTo(200);
      }
    }
    assertThat(Http.JSON.readTree(send("GET", "/whoami", null, oncall).body()).path("method").asText()).isEqualTo("jwt");

    failures += grpcMatrix();

    server.close(); // appends what the audit trail has queued
    List<AuditEvent> events = repo.registry().audit().read(before, 100_000);
    double minutes = (System.nanoTime() - started) / 60e9;
    assertThat(events).allSatisfy(e -> assertThat(secrets).noneMatch(s -> e.toString().contains(s)));
    Set<String> lines = events.stream().map(e -> e.principal() + " " + e.method() + " " + e.action() + " " + e.resource()
        + " " + e.outcome()).collect(Collectors.toSet());

    for (Route r : ROUTES) {
      if (r.denial() != null) {
        assertThat(lines).as("the denial of " + r.path()).contains("eve token " + r.denial() + " denied");
      }
    }
    assertThat(events).filteredOn(e -> e.outcome().equals("denied") && !e.action().equals("authentication_failed"))
        .allSatisfy(e -> assertThat(e.detail()).startsWith("rule <default deny>: "));
    assertThat(lines).contains(
        "etl token push source txns ok",
        "etl token write feature_view user_stats ok",
        "oncall jwt materialize feature_view user_stats ok",
        "oncall jwt materialize_incremental feature_view user_stats ok",
        "oncall jwt online_delete feature_view user_stats ok");
    assertThat(events).filteredOn(e -> e.action().equals("read_online") && e.outcome().equals("ok")).as("reads are not audited")
        .isEmpty();

    // one token_use per principal and method from this host, however many requests it made
    assertThat(events).filteredOn(e -> e.action().equals("token_use"))
        .extracting(e -> e.principal() + " " + e.method() + " " + AuditedAuthenticator.host(e.client()) + " " + e.outcome())
        .containsExactlyInAnyOrder("eve token 127.0.0.1 ok", "etl token 127.0.0.1 ok", "alice jwt 127.0.0.1 ok",
            "oncall jwt 127.0.0.1 ok");

    // every refused credential is an authentication_failed with its reason, at most 10 a minute from one host
    List<AuditEvent> failed = events.stream().filter(e -> e.action().equals("authentication_failed")).toList();
    assertThat(failures).isGreaterThan(100);
    assertThat(failed.size()).as("%d failures in %.2f min", failures, minutes)
        .isBetween(AuditedAuthenticator.FAILURE_LIMIT, (int) Math.ceil(minutes) * AuditedAuthenticator.FAILURE_LIMIT);
    assertThat(failed.subList(0, 6)).extracting(AuditEvent::detail).satisfiesExactly(
        d -> assertThat(d).startsWith("no credentials"),
        d -> assertThat(d).contains("uses the scheme 'Basic'"),
        d -> assertThat(d).contains("unknown API token"),
        d -> assertThat(d).contains("was revoked at"),
        d -> assertThat(d).contains("expired"),
        d -> assertThat(d).contains("wrong audience"));
    assertThat(failed).allSatisfy(e -> {
      assertThat(e.principal()).isEqualTo("anonymous");
      assertThat(e.outcome()).isEqualTo("denied");
      assertThat(e.detail()).doesNotContain("dXNlcjpwYXNzd29yZA");
    });
  }

  /** Every method of the served gRPC service × the same credentials; returns how many were refused. */
  private int grpcMatrix() throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    int refused = 0;
    try {
      Set<String> methods = ServingServiceGrpc.getServiceDescriptor().getMethods().stream()
          .map(MethodDescriptor::getBareMethodName).collect(Collectors.toCollection(TreeSet::new));
      assertThat(methods).as("the matrix covers every gRPC method").containsExactly("GetFeastServingInfo", "GetOnlineFeatures");
      for (Map.Entry<String, String> c : bad.entrySet()) {
        for (String method : methods) {
          Status.Code code = grpc(channel, method, c.getValue());
          assertThat(code).as(method + " with " + c.getKey()).isEqualTo(Status.Code.UNAUTHENTICATED);
          refused++;
        }
      }
      assertThat(grpc(channel, "GetFeastServingInfo", intern)).as("no permission needed").isEqualTo(Status.Code.OK);
      assertThat(grpc(channel, "GetOnlineFeatures", intern)).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(grpc(channel, "GetFeastServingInfo", alice)).isEqualTo(Status.Code.OK);
      assertThat(grpc(channel, "GetOnlineFeatures", alice)).isEqualTo(Status.Code.OK);
      refused += registryMatrix(channel);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    return refused;
  }

  /**
   * Feast's registry service: every method refuses bad credentials; a valid caller lists only what it may
   * describe and is denied a get of anything else, naming the rule.
   */
  private int registryMatrix(ManagedChannel channel) {
    int refused = 0;
    for (Map.Entry<String, String> c : bad.entrySet()) {
      for (var method : dev.quiver.grpc.feast.registry.RegistryServerGrpc.getServiceDescriptor().getMethods()) {
        Status s = FeastRegistryServerTest.call(channel, method, headers(c.getValue()));
        assertThat(s.getCode()).as(method.getBareMethodName() + " with " + c.getKey()).isEqualTo(Status.Code.UNAUTHENTICATED);
        refused++;
      }
    }
    var view = dev.quiver.grpc.feast.registry.GetFeatureViewRequest.newBuilder().setProject("servertest").setName("user_stats").build();
    var list = dev.quiver.grpc.feast.registry.ListFeatureViewsRequest.newBuilder().setProject("servertest").build();
    var asIntern = dev.quiver.grpc.feast.registry.RegistryServerGrpc.newBlockingStub(channel).withInterceptors(headers(intern));
    var asAlice = dev.quiver.grpc.feast.registry.RegistryServerGrpc.newBlockingStub(channel).withInterceptors(headers(alice));
    assertThat(asIntern.listFeatureViews(list).getFeatureViewsList()).as("the intern may describe nothing").isEmpty();
    try {
      asIntern.getFeatureView(view);
      throw new AssertionError("the intern got user_stats");
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(e.getStatus().getDescription()).contains("FeastPermissionError", "eve", "describe", "user_stats");
    }
    assertThat(asAlice.getFeatureView(view).getSpec().getName()).isEqualTo("user_stats");
    assertThat(asAlice.listFeatureViews(list).getFeatureViewsList()).extracting(v -> v.getSpec().getName())
        .containsExactly("user_stats");
    return refused;
  }

  private static io.grpc.ClientInterceptor headers(String authorization) {
    Metadata headers = new Metadata();
    if (authorization != null) {
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    }
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  private static Status.Code grpc(ManagedChannel channel, String method, String authorization) {
    Metadata headers = new Metadata();
    if (authorization != null) {
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    }
    var stub = ServingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    try {
      if (method.equals("GetFeastServingInfo")) {
        assertThat(stub.getFeastServingInfo(GetFeastServingInfoRequest.getDefaultInstance()).getVersion()).isNotEmpty();
      } else {
        assertThat(stub.getOnlineFeatures(GrpcServerTest.features("user_stats:amount")
            .putEntities("user_id", GrpcServerTest.int64s(3)).build()).getResultsCount()).isEqualTo(2); // the key and the feature
      }
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void rulesByNamePatternAndByTagThroughRealCredentials() throws Exception {
    String scoring = "{\"feature_service\": \"scoring\", \"entities\": {\"user_id\": [3]}}";
    // scorers: feature services named scor*, not the views they read
    assertThat(send("POST", "/get-online-features", scoring, scorer).status()).isEqualTo(200);
    Reply direct = send("POST", "/get-online-features", AuthorizationTest.READ_VIEW, scorer);
    assertThat(direct.status()).isEqualTo(403);
    assertThat(direct.body()).contains("model-svc", "read_online", "feature_view user_stats", "<default deny>");
    // pii-readers: what is tagged pii=true (the view), not the untagged service
    assertThat(send("POST", "/get-online-features", AuthorizationTest.READ_VIEW, alice).status()).isEqualTo(200);
    assertThat(send("POST", "/get-online-features", scoring, alice).body()).contains("forbidden", "feature_service scoring");
    assertThat(send("GET", "/api/v1/feature-views/user_stats", null, alice).status()).isEqualTo(200);
    assertThat(send("GET", "/api/v1/on-demand-views/txn_risk", null, alice).status()).isEqualTo(403);
    // ingest: push to the named source, but no materialization
    assertThat(send("POST", "/materialize", AuthorizationTest.MATERIALIZE, etl).body()).contains("forbidden", "etl", "materialize");
    // the role * reaches everyone authenticated: the risk service
    String risk = "{\"feature_service\": \"risk\", \"entities\": {\"user_id\": [3]}, \"request_context\": {\"txn_amount\": [1.0]}}";
    assertThat(send("POST", "/get-online-features", risk, intern).status()).isEqualTo(200);
    assertThat(send("POST", "/get-online-features", risk, null).status()).as("but not the unauthenticated").isEqualTo(401);
  }
}
