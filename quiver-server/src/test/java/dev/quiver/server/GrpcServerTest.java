package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import dev.quiver.client.FeatureClient;
import dev.quiver.client.FeatureServerException;
import dev.quiver.client.GrpcFeatureClient;
import dev.quiver.client.HttpFeatureClient;
import dev.quiver.client.OnlineFeatures;
import dev.quiver.client.OnlineFeaturesRequest;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.grpc.feast.serving.FeatureList;
import dev.quiver.grpc.feast.serving.FieldStatus;
import dev.quiver.grpc.feast.serving.GetFeastServingInfoRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.Value;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC front end against a real repo (DuckDB, RocksDB, file registry): Feast's
 * {@code ServingService} through the generated stub (what Feast's own gRPC clients send), the Java
 * client over both protocols agreeing with the Java API, and every bad request a client-error status.
 */
class GrpcServerTest {
  @TempDir static Path tmp;
  static FeatureRepo repo;
  static QuiverServer server;
  static ManagedChannel channel;
  static ServingServiceGrpc.ServingServiceBlockingStub stub;

  @BeforeAll
  static void start() {
    repo = FeatureRepo.open(TestRepo.rocksdb(tmp.resolve("repo")));
    server = QuiverServer.start(repo, ServerOptions.loopback().withLimits(64 * 1024, 50));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    stub = ServingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    repo.close();
  }

  static RepeatedValue int64s(long... values) {
    RepeatedValue.Builder b = RepeatedValue.newBuilder();
    for (long v : values) {
      b.addVal(Value.newBuilder().setInt64Val(v));
    }
    return b.build();
  }

  static GetOnlineFeaturesRequest.Builder features(String... refs) {
    return GetOnlineFeaturesRequest.newBuilder().setFeatures(FeatureList.newBuilder().addAllVal(List.of(refs)));
  }

  @Test
  void reportsTheServerVersion() {
    assertThat(stub.getFeastServingInfo(GetFeastServingInfoRequest.getDefaultInstance()).getVersion())
        .isEqualTo(QuiverServer.VERSION);
  }

  @Test
  void answersFeastsRequestWithFeastsResponse() {
    GetOnlineFeaturesResponse r = stub.getOnlineFeatures(features("user_stats:amount", "user_stats:country",
        "user_stats:visits", "user_stats:vip", "user_stats:tags", "user_stats:seen_at")
        .putEntities("user_id", int64s(2, 3, 999999)).build());
    assertThat(r.getMetadata().getFeatureNames().getValList())
        .containsExactly("user_id", "amount", "country", "visits", "vip", "tags", "seen_at");
    assertThat(r.getResultsCount()).isEqualTo(7);
    GetOnlineFeaturesResponse.FeatureVector keys = r.getResults(0);
    assertThat(keys.getValuesList()).containsExactlyElementsOf(int64s(2, 3, 999999).getValList());
    assertThat(keys.getStatusesList()).containsOnly(FieldStatus.PRESENT);
    GetOnlineFeaturesResponse.FeatureVector amount = r.getResults(1);
    assertThat(amount.getValues(0).getDoubleVal()).isEqualTo(3.0);
    assertThat(amount.getValues(1).getDoubleVal()).isEqualTo(4.5);
    assertThat(amount.getValues(2).getValCase()).isEqualTo(Value.ValCase.VAL_NOT_SET);
    assertThat(amount.getStatusesList()).containsExactly(FieldStatus.PRESENT, FieldStatus.PRESENT, FieldStatus.NOT_FOUND);
    assertThat(amount.getEventTimestamps(0)).isEqualTo(Timestamp.newBuilder()
        .setSeconds(Instant.parse("2026-01-01T00:02:00Z").getEpochSecond()).build());
    assertThat(amount.getEventTimestamps(2)).isEqualTo(Timestamp.getDefaultInstance());
    assertThat(r.getResults(2).getValues(0).getStringVal()).isEqualTo("FR");
    assertThat(r.getResults(3).getValues(1).getInt64Val()).isEqualTo(30L);
    assertThat(r.getResults(4).getValues(0).getBoolVal()).isFalse();
    assertThat(r.getResults(4).getValues(1).getBoolVal()).isTrue();
    assertThat(r.getResults(5).getValues(0).getStringListVal().getValList()).containsExactly("t2", "x");
    assertThat(r.getResults(6).getValues(0).getUnixTimestampVal())
        .isEqualTo(Instant.parse("2025-06-01T00:00:02Z").getEpochSecond());
  }

  @Test
  void servesAFeatureServiceWithFullNames() {
    GetOnlineFeaturesResponse r = stub.getOnlineFeatures(GetOnlineFeaturesRequest.newBuilder()
        .setFeatureService("scoring").setFullFeatureNames(true).putEntities("user_id", int64s(4)).build());
    assertThat(r.getMetadata().getFeatureNames().getValList())
        .containsExactly("user_id", "user_stats__amount", "user_stats__country");
    assertThat(r.getResults(1).getValues(0).getDoubleVal()).isEqualTo(6.0);
  }

  @Test
  void everyAnswerSaysStatusTrueAsFeastDoes() {
    assertThat(stub.getOnlineFeatures(features("user_stats:amount").putEntities("user_id", int64s(1, 999999)).build())
        .getStatus()).isTrue();
    assertThat(stub.getOnlineFeatures(GetOnlineFeaturesRequest.newBuilder().setFeatureService("scoring")
        .putEntities("user_id", int64s(4)).build()).getStatus()).isTrue();
  }

  @Test
  void featureViewVersionMetadataNamesEachViewReadWhenAsked() {
    GetOnlineFeaturesRequest.Builder request = GetOnlineFeaturesRequest.newBuilder().setFeatureService("risk")
        .putEntities("user_id", int64s(2)).putRequestContext("txn_amount", RepeatedValue.newBuilder()
            .addVal(Value.newBuilder().setDoubleVal(30.0)).build());
    assertThat(stub.getOnlineFeatures(request.build()).getMetadata().getFeatureViewMetadataList())
        .as("only filled when asked").isEmpty();
    GetOnlineFeaturesResponse r = stub.getOnlineFeatures(request.setIncludeFeatureViewVersionMetadata(true).build());
    assertThat(r.getMetadata().getFeatureViewMetadataList()).extracting(m -> m.getName() + "@v" + m.getVersion())
        .as("feature views read; txn_risk is computed from user_stats, as Feast counts it").containsExactly("user_stats@v1");
    assertThat(r.getMetadata().getFeatureNames().getValList()).as("names stay clean")
        .containsExactly("user_id", "amount", "amount_ratio");
    GetOnlineFeaturesResponse twice = stub.getOnlineFeatures(features("user_stats:amount", "txn_risk:amount_ratio",
        "user_stats:country").putEntities("user_id", int64s(2)).putRequestContext("txn_amount", RepeatedValue.newBuilder()
            .addVal(Value.newBuilder().setDoubleVal(30.0)).build()).setIncludeFeatureViewVersionMetadata(true).build());
    assertThat(twice.getMetadata().getFeatureViewMetadataList()).extracting(m -> m.getName() + "@v" + m.getVersion())
        .as("one entry per view").containsExactly("user_stats@v1");
  }

  @Test
  void featureViewVersionMetadataGivesTheVersionRead(@TempDir Path dir) throws Exception {
    Path repoDir = TestRepo.rocksdb(dir.resolve("repo"));
    try (FeatureRepo two = FeatureRepo.open(repoDir)) {
      java.nio.file.Files.writeString(repoDir.resolve("features/defs.yaml"), TestRepo.DEFINITIONS.replace(
          "  - name: user_stats\n", "  - name: user_stats\n    version: 2\n"));
      assertThat(two.apply(two.plan(false), "test", "user_stats v2", true)).isPresent();
      two.materialize(List.of(), TestRepo.START, TestRepo.END, (v, rows, written) -> {}, "test");
      try (QuiverServer s = QuiverServer.start(two, ServerOptions.loopback())) {
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", s.grpcPort()).usePlaintext().build();
        try {
          ServingServiceGrpc.ServingServiceBlockingStub st = ServingServiceGrpc.newBlockingStub(c)
              .withDeadlineAfter(30, TimeUnit.SECONDS);
          for (String ref : List.of("user_stats:amount", "user_stats@v1:amount", "user_stats@v2:amount")) {
            GetOnlineFeaturesResponse r = st.getOnlineFeatures(features(ref).putEntities("user_id", int64s(2))
                .setIncludeFeatureViewVersionMetadata(true).build());
            assertThat(r.getMetadata().getFeatureViewMetadataList()).as(ref)
                .extracting(m -> m.getName() + "@v" + m.getVersion())
                .containsExactly(ref.startsWith("user_stats@v1") ? "user_stats@v1" : "user_stats@v2");
            assertThat(r.getResults(1).getValues(0).getDoubleVal()).as(ref).isEqualTo(3.0);
          }
        } finally {
          c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void valueTypesQuiverHasNoTypeForAreRefusedByName() {
    Value map = Value.newBuilder().setMapVal(dev.quiver.grpc.feast.types.Map.newBuilder()
        .putVal("a", Value.newBuilder().setInt64Val(1).build())).build();
    assertStatus(features("user_stats:amount").putEntities("user_id", RepeatedValue.newBuilder().addVal(map).build()),
        Status.Code.INVALID_ARGUMENT, "'entities.user_id' value 0 is a map_val, which no Quiver type holds");
    Value set = Value.newBuilder().setDoubleSetVal(dev.quiver.grpc.feast.types.DoubleSet.newBuilder().addVal(1.0)).build();
    assertStatus(GetOnlineFeaturesRequest.newBuilder().setFeatureService("risk").putEntities("user_id", int64s(2, 3))
        .putRequestContext("txn_amount", RepeatedValue.newBuilder().addVal(Value.newBuilder().setDoubleVal(1.0))
            .addVal(set).build()), Status.Code.INVALID_ARGUMENT, "'request_context.txn_amount' value 1 is a double_set_val");
    GetOnlineFeaturesResponse r = stub.getOnlineFeatures(GetOnlineFeaturesRequest.newBuilder().setFeatureService("risk")
        .putEntities("user_id", RepeatedValue.newBuilder().addVal(Value.newBuilder().setUuidVal("2")).build())
        .putRequestContext("txn_amount", RepeatedValue.newBuilder().addVal(Value.newBuilder().setDecimalVal("30.0")).build())
        .build());
    assertThat(r.getResults(2).getValues(0).getDoubleVal()).as("a decimal is a number, a uuid a string")
        .isEqualTo(30.0 / 3.0);
  }

  @Test
  void keysOfAnyIntegerWidthOrAsStringsAreCoerced() {
    RepeatedValue keys = RepeatedValue.newBuilder()
        .addVal(Value.newBuilder().setInt32Val(2))
        .addVal(Value.newBuilder().setStringVal("3"))
        .addVal(Value.newBuilder().setNullVal(dev.quiver.grpc.feast.types.Null.NULL))
        .build();
    GetOnlineFeaturesResponse r = stub.getOnlineFeatures(features("user_stats:amount").putEntities("user_id", keys).build());
    assertThat(r.getResults(1).getStatusesList()).containsExactly(FieldStatus.PRESENT, FieldStatus.PRESENT, FieldStatus.NOT_FOUND);
    assertThat(r.getResults(1).getValues(1).getDoubleVal()).isEqualTo(4.5);
    assertThat(r.getResults(0).getValuesList()).as("the keys as looked up: int64 values, whatever was sent")
        .containsExactly(Value.newBuilder().setInt64Val(2).build(), Value.newBuilder().setInt64Val(3).build(),
            Value.getDefaultInstance());
  }

  @Test
  void keysThatAreNotExactIntegersAreRefused() {
    for (Value bad : List.of(Value.newBuilder().setStringVal("01").build(), Value.newBuilder().setStringVal(" 1").build(),
        Value.newBuilder().setDoubleVal(1.0).build(), Value.newBuilder().setStringVal("1e0").build(),
        Value.newBuilder().setBoolVal(true).build())) {
      assertStatus(features("user_stats:amount").putEntities("user_id", RepeatedValue.newBuilder().addVal(bad).build()),
          Status.Code.INVALID_ARGUMENT, "entity column 'user_id' holds int64 keys, but got ");
    }
  }

  @Test
  void theClientAnswersTheSameOverBothProtocolsAsTheJavaApi() {
    List<Object> ids = new ArrayList<>();
    for (long u = TestRepo.USERS - 20; u <= TestRepo.USERS + 3; u++) {
      ids.add(u);
    }
    OnlineResponse direct = repo.getOnlineFeatures(List.of(FeatureRef.of("user_stats:*")), Map.of("user_id", ids), true);
    OnlineFeaturesRequest request = OnlineFeaturesRequest.features("user_stats:*").entity("user_id", ids)
        .withFullFeatureNames(true);
    try (GrpcFeatureClient grpc = FeatureClient.grpc("127.0.0.1", server.grpcPort());
         HttpFeatureClient http = FeatureClient.http("http://127.0.0.1:" + server.httpPort())) {
      OnlineFeatures viaGrpc = grpc.getOnlineFeatures(request);
      OnlineFeatures viaHttp = http.getOnlineFeatures(request);
      assertThat(viaGrpc.names()).isEqualTo(viaHttp.names());
      assertThat(viaGrpc.names().get(0)).isEqualTo("user_id");
      assertThat(viaGrpc.column("user_id").values()).isEqualTo(ids);
      assertThat(viaGrpc.rows()).isEqualTo(ids.size());
      for (FeatureColumn c : direct.features()) {
        OnlineFeatures.Column g = viaGrpc.column(c.name());
        OnlineFeatures.Column h = viaHttp.column(c.name());
        for (int i = 0; i < ids.size(); i++) {
          assertThat(g.statuses().get(i).name()).isEqualTo(c.statuses().get(i).name());
          assertThat(h.statuses().get(i)).isEqualTo(g.statuses().get(i));
          Instant t = c.eventTimes().get(i) == null ? Instant.EPOCH : c.eventTimes().get(i);
          assertThat(g.eventTimestamps().get(i)).isEqualTo(t);
          assertThat(h.eventTimestamps().get(i)).isEqualTo(t);
          Object v = c.values().get(i);
          if (v instanceof Instant when) {
            assertThat(g.values().get(i)).isEqualTo(Instant.ofEpochSecond(when.getEpochSecond()));
            assertThat(Instant.parse((String) h.values().get(i))).isEqualTo(when);
          } else {
            assertThat(g.values().get(i)).as(c.name() + " row " + i).isEqualTo(v);
            assertThat(h.values().get(i)).as(c.name() + " row " + i).isEqualTo(v);
          }
        }
      }
      assertThat(grpc.serverVersion()).isEqualTo(QuiverServer.VERSION).isEqualTo(http.serverVersion());
    }
  }

  @Test
  void everyBadRequestIsAClientErrorNamingTheProblem() {
    assertStatus(features("user_stats:nope").putEntities("user_id", int64s(1)), Status.Code.NOT_FOUND, "nope");
    assertStatus(features("no_such_view:amount").putEntities("user_id", int64s(1)), Status.Code.NOT_FOUND, "no_such_view");
    assertStatus(GetOnlineFeaturesRequest.newBuilder().setFeatureService("nope").putEntities("user_id", int64s(1)),
        Status.Code.NOT_FOUND, "nope");
    assertStatus(features("amount").putEntities("user_id", int64s(1)), Status.Code.INVALID_ARGUMENT, "not a feature ref");
    assertStatus(GetOnlineFeaturesRequest.newBuilder().putEntities("user_id", int64s(1)), Status.Code.INVALID_ARGUMENT,
        "give the features");
    assertStatus(features("user_stats:amount"), Status.Code.INVALID_ARGUMENT, // core names the key the view needs
        "the request needs entity column 'user_id' for view user_stats@v1; it has: none");
    assertStatus(features("user_stats:amount").putEntities("merchant_id", int64s(1)), Status.Code.INVALID_ARGUMENT,
        "needs entity column 'user_id'");
    assertStatus(features("user_stats:amount").putEntities("user_id",
        RepeatedValue.newBuilder().addVal(Value.newBuilder().setStringVal("abc")).build()), Status.Code.INVALID_ARGUMENT,
        "holds int64 keys");
    assertStatus(features("user_stats:amount").putEntities("user_id", int64s(1, 2)).putEntities("other", int64s(1)),
        Status.Code.INVALID_ARGUMENT, "different lengths");
    long[] many = new long[51];
    assertStatus(features("user_stats:amount").putEntities("user_id", int64s(many)), Status.Code.INVALID_ARGUMENT,
        "at most 50");
    long[] huge = new long[20_000];
    assertStatus(features("user_stats:amount").putEntities("user_id", int64s(huge)), Status.Code.RESOURCE_EXHAUSTED, "");
    assertThat(stub.getOnlineFeatures(features("user_stats:amount").putEntities("user_id", int64s(1)).build())
        .getResults(1).getStatuses(0)).isEqualTo(FieldStatus.PRESENT);
  }

  @Test
  void theClientAsksForFeatureViewMetadataAndReadsItOverBothProtocols() {
    OnlineFeaturesRequest request = OnlineFeaturesRequest.service("risk").entity("user_id", 2L).requestData("txn_amount", 30.0);
    try (GrpcFeatureClient grpc = FeatureClient.grpc("127.0.0.1", server.grpcPort());
         HttpFeatureClient http = FeatureClient.http("http://127.0.0.1:" + server.httpPort())) {
      for (FeatureClient client : List.<FeatureClient>of(grpc, http)) {
        String protocol = client == grpc ? "gRPC" : "HTTP";
        assertThat(client.getOnlineFeatures(request).featureViewMetadata()).as(protocol + ": only when asked").isEmpty();
        OnlineFeatures f = client.getOnlineFeatures(request.withFeatureViewMetadata(true));
        assertThat(f.featureViewMetadata()).as(protocol + ": the feature views read (txn_risk reads user_stats)")
            .containsExactly(new OnlineFeatures.ViewVersion("user_stats", 1));
        assertThat(f.featureViewMetadata().getFirst()).hasToString("user_stats@v1");
        assertThat(f.names()).as(protocol + ": names stay clean").containsExactly("user_id", "amount", "amount_ratio");
        assertThat(f.value("amount_ratio", 0)).isEqualTo(30.0 / 3.0);
      }
      OnlineFeaturesRequest asked = OnlineFeaturesRequest.features("user_stats:amount").entity("user_id", 2L)
          .withFeatureViewMetadata(true).withFullFeatureNames(true).requestData("unused", 1L).entity("user_id", 3L);
      assertThat(asked.featureViewMetadata()).as("kept by every with method").isTrue();
    }
  }

  @Test
  void theClientReportsErrorsWithTheServersCodeAndMessage() {
    try (GrpcFeatureClient grpc = FeatureClient.grpc("127.0.0.1", server.grpcPort());
         HttpFeatureClient http = FeatureClient.http("http://127.0.0.1:" + server.httpPort())) {
      OnlineFeaturesRequest bad = OnlineFeaturesRequest.features("user_stats:nope").entity("user_id", 1L);
      assertThatThrownBy(() -> grpc.getOnlineFeatures(bad)).isInstanceOfSatisfying(FeatureServerException.class, e -> {
        assertThat(e.code()).isEqualTo("NOT_FOUND");
        assertThat(e.clientError()).isTrue();
        assertThat(e.getMessage()).contains("nope");
      });
      assertThatThrownBy(() -> http.getOnlineFeatures(bad)).isInstanceOfSatisfying(FeatureServerException.class, e -> {
        assertThat(e.code()).isEqualTo("404");
        assertThat(e.clientError()).isTrue();
        assertThat(e.getMessage()).contains("nope");
      });
    }
    try (GrpcFeatureClient nobody = FeatureClient.grpc("127.0.0.1", 1, java.time.Duration.ofSeconds(2))) {
      assertThatThrownBy(nobody::serverVersion).isInstanceOfSatisfying(FeatureServerException.class,
          e -> assertThat(e.clientError()).isFalse());
    }
  }

  @Test
  void onDemandFeaturesReadTheRequestContextOverBothProtocols() {
    OnlineFeaturesRequest request = OnlineFeaturesRequest.service("risk").entity("user_id", 2L, 999999L)
        .requestData("txn_amount", 30.0, 5.0);
    try (GrpcFeatureClient grpc = FeatureClient.grpc("127.0.0.1", server.grpcPort());
         HttpFeatureClient http = FeatureClient.http("http://127.0.0.1:" + server.httpPort())) {
      for (OnlineFeatures f : List.of(grpc.getOnlineFeatures(request), http.getOnlineFeatures(request))) {
        assertThat(f.names()).containsExactly("user_id", "amount", "amount_ratio");
        assertThat(f.value("amount_ratio", 0)).isEqualTo(30.0 / 3.0);
        assertThat(f.status("amount_ratio", 0)).isEqualTo(dev.quiver.client.FieldStatus.PRESENT);
        assertThat(f.value("amount_ratio", 1)).as("the user is unknown: its amount reads as null").isNull();
        assertThat(f.status("amount_ratio", 1)).isEqualTo(dev.quiver.client.FieldStatus.NULL_VALUE);
      }
      OnlineFeaturesRequest missing = OnlineFeaturesRequest.service("risk").entity("user_id", 2L);
      assertThatThrownBy(() -> grpc.getOnlineFeatures(missing)).isInstanceOfSatisfying(FeatureServerException.class, e -> {
        assertThat(e.code()).isEqualTo("INVALID_ARGUMENT");
        assertThat(e.getMessage()).contains("needs request field 'txn_amount'");
      });
      assertThatThrownBy(() -> http.getOnlineFeatures(missing)).isInstanceOfSatisfying(FeatureServerException.class,
          e -> assertThat(e.code()).isEqualTo("400"));
    }
  }

  private static void assertStatus(GetOnlineFeaturesRequest.Builder request, Status.Code code, String message) {
    assertThatThrownBy(() -> stub.getOnlineFeatures(request.build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
          assertThat(String.valueOf(e.getStatus().getDescription())).contains(message);
        });
  }
}
