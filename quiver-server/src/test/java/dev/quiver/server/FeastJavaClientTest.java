package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.feast.FeastClient;
import dev.feast.Row;
import dev.quiver.core.repo.FeatureRepo;
import feast.proto.serving.ServingAPIProto;
import feast.proto.serving.ServingAPIProto.FieldStatus;
import feast.proto.serving.ServingServiceGrpc;
import feast.proto.types.ValueProto;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feast's own Java client ({@code dev.feast:feast-serving-client} 0.38.0, unchanged) against Quiver's gRPC
 * front end: {@link FeastClient} for feature refs over several entity rows, statuses, event times and
 * on-demand features (the client puts request data into the entity rows, so it arrives as columns of
 * {@code entities}); Feast's generated stub from the same artifact for what {@code FeastClient} 0.38 has
 * no method for (a feature service, full feature names).
 */
class FeastJavaClientTest {
  @TempDir static Path tmp;
  static FeatureRepo repo;
  static QuiverServer server;
  static FeastClient feast;

  @BeforeAll
  static void start() {
    repo = FeatureRepo.open(TestRepo.rocksdb(tmp.resolve("repo")));
    server = QuiverServer.start(repo, ServerOptions.loopback());
    feast = FeastClient.create("127.0.0.1", server.grpcPort());
  }

  @AfterAll
  static void stop() throws Exception {
    feast.close();
    server.close();
    repo.close();
  }

  @Test
  void reportsTheServerVersion() {
    assertThat(feast.getFeastServingInfo().getVersion()).isEqualTo(QuiverServer.VERSION);
  }

  @Test
  void readsFeatureRefsForSeveralEntitiesWithStatuses() {
    List<Row> rows = feast.getOnlineFeatures(List.of("user_stats:amount", "user_stats:country", "user_stats:visits"),
        List.of(Row.create().set("user_id", 2L), Row.create().set("user_id", 3L), Row.create().set("user_id", 999999L)));
    assertThat(rows).hasSize(3);
    Row two = rows.get(0);
    assertThat(two.getLong("user_id")).isEqualTo(2L);
    assertThat(two.getDouble("amount")).isEqualTo(3.0);
    assertThat(two.getString("country")).isEqualTo("FR");
    assertThat(two.getLong("visits")).isEqualTo(20L);
    assertThat(two.getStatus("amount")).isEqualTo(FieldStatus.PRESENT);
    assertThat(two.getEntityTimestamp().getSeconds()).as("the event time of the row read")
        .isEqualTo(Instant.parse("2026-01-01T00:02:00Z").getEpochSecond());
    assertThat(rows.get(1).getDouble("amount")).isEqualTo(4.5);
    assertThat(rows.get(1).getString("country")).isEqualTo("DE");
    Row unknown = rows.get(2);
    assertThat(unknown.getLong("user_id")).isEqualTo(999999L);
    assertThat(unknown.getDouble("amount")).isNull();
    assertThat(unknown.getStatus("amount")).isEqualTo(FieldStatus.NOT_FOUND);
    assertThat(unknown.getStatus("visits")).isEqualTo(FieldStatus.NOT_FOUND);
  }

  @Test
  void computesOnDemandFeaturesFromRequestDataInTheEntityRows() {
    List<Row> rows = feast.getOnlineFeatures(List.of("user_stats:amount", "txn_risk:amount_ratio"), List.of(
        Row.create().set("user_id", 2L).set("txn_amount", 30.0),
        Row.create().set("user_id", 999999L).set("txn_amount", 5.0)));
    assertThat(rows.get(0).getDouble("amount_ratio")).isEqualTo(30.0 / 3.0);
    assertThat(rows.get(0).getStatus("amount_ratio")).isEqualTo(FieldStatus.PRESENT);
    assertThat(rows.get(0).getDouble("txn_amount")).as("the client keeps its own entity fields").isEqualTo(30.0);
    assertThat(rows.get(1).getDouble("amount_ratio")).as("the user is unknown: its amount reads as null").isNull();
    assertThat(rows.get(1).getStatus("amount_ratio")).isEqualTo(FieldStatus.NULL_VALUE);
  }

  @Test
  void refusesAnUnknownFeatureWithAStatusFeastsClientRaises() {
    assertThatThrownBy(() -> feast.getOnlineFeatures(List.of("user_stats:nope"), List.of(Row.create().set("user_id", 2L))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).contains("nope");
        });
    assertThatThrownBy(() -> feast.getOnlineFeatures(List.of("txn_risk:amount_ratio"), List.of(Row.create().set("user_id", 2L))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("txn_amount");
        });
  }

  @Test
  void servesAFeatureServiceWithFullNamesThroughFeastsStub() throws InterruptedException {
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      ServingServiceGrpc.ServingServiceBlockingStub stub = ServingServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS);
      ServingAPIProto.GetOnlineFeaturesResponse r = stub.getOnlineFeatures(ServingAPIProto.GetOnlineFeaturesRequest.newBuilder()
          .setFeatureService("risk").setFullFeatureNames(true)
          .putEntities("user_id", ValueProto.RepeatedValue.newBuilder()
              .addVal(ValueProto.Value.newBuilder().setInt64Val(4)).addVal(ValueProto.Value.newBuilder().setInt64Val(999999)).build())
          .putEntities("txn_amount", ValueProto.RepeatedValue.newBuilder()
              .addVal(ValueProto.Value.newBuilder().setDoubleVal(12.0)).addVal(ValueProto.Value.newBuilder().setDoubleVal(1.0)).build())
          .build());
      assertThat(r.getMetadata().getFeatureNames().getValList())
          .containsExactly("user_id", "user_stats__amount", "txn_risk__amount_ratio");
      assertThat(r.getResults(1).getValues(0).getDoubleVal()).isEqualTo(6.0);
      assertThat(r.getResults(1).getStatusesList()).containsExactly(FieldStatus.PRESENT, FieldStatus.NOT_FOUND);
      assertThat(r.getResults(2).getValues(0).getDoubleVal()).isEqualTo(12.0 / 6.0);
      assertThat(r.getResults(2).getStatusesList()).containsExactly(FieldStatus.PRESENT, FieldStatus.NULL_VALUE);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
