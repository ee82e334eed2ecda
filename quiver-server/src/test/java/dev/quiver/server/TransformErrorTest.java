package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.grpc.feast.serving.FeatureList;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.Value;
import dev.quiver.testkit.TransformJars;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A custom transform that fails with an {@link Error} gets an answer on every protocol: HTTP 500 with
 * the JSON error body, on the I/O thread and on a worker alike, gRPC {@code INTERNAL}; the connection
 * keeps answering. Before, the error escaped: the I/O thread closed the connection, and a worker never
 * answered at all (the connection hung and its request stayed counted in flight). A {@link
 * LinkageError} (a {@code NoClassDefFoundError}: the transform's jar is on the classpath, a library it
 * needs is not) is the deployment's problem, not a bug: a 503 naming the transform and the class.
 */
class TransformErrorTest {
  static final String TRANSFORM = "com.example.transforms.NeedsALibrary";
  static final String READ_BROKEN = "{\"features\": [\"user_stats:broken\"], \"entities\": {\"user_id\": [3]}}";
  static final String READ_AMOUNT = "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [3]}}";

  @TempDir Path tmp;

  private Path repoWithTheTransform() throws Exception {
    return repoWithTheTransform("throw new AssertionError(\"a bug in the transform\");");
  }

  private Path repoWithTheTransform(String failure) throws Exception {
    Path dir = TestRepo.rocksdb(tmp.resolve("repo"));
    TransformJars.compile(dir.resolve("lib/needs-a-library.jar"), TRANSFORM, """
        package com.example.transforms;

        import dev.quiver.core.model.ScalarType;
        import dev.quiver.core.model.ValueType;
        import java.util.List;

        public final class NeedsALibrary implements dev.quiver.core.spi.Transform {
          @Override
          public ValueType resultType(List<ValueType> types) {
            return ScalarType.FLOAT64;
          }

          @Override
          public Object apply(Object[] args) {
            FAILURE
          }
        }
        """.replace("FAILURE", failure));
    Files.writeString(dir.resolve("quiver.yaml"), "classpath: [lib/*.jar]\n", StandardOpenOption.APPEND);
    Files.writeString(dir.resolve("features/defs.yaml"), TestRepo.DEFINITIONS.replace("- {name: seen_at, column: seen_at}",
        "- {name: seen_at, column: seen_at}\n      - {name: broken, transform: " + TRANSFORM + ", args: [amount]}"));
    try (FeatureRepo repo = FeatureRepo.open(dir)) {
      repo.apply(repo.plan(false), "test", "a transform that fails", false).orElseThrow();
    }
    return dir;
  }

  @Test
  void anErrorInATransformIsA500OnTheIoThreadAndOnAWorkerAndTheConnectionGoesOn() throws Exception {
    try (FeatureRepo repo = FeatureRepo.open(repoWithTheTransform());
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
         Http http = new Http(server.httpPort())) {
      assertInternalError(http.post("/get-online-features", READ_BROKEN)); // RocksDB: read on the I/O thread
      String inline = System.getProperty("quiver.server.inline-reads");
      System.setProperty("quiver.server.inline-reads", "false");
      try {
        assertInternalError(http.post("/get-online-features", READ_BROKEN)); // on a worker
      } finally {
        if (inline == null) {
          System.clearProperty("quiver.server.inline-reads");
        } else {
          System.setProperty("quiver.server.inline-reads", inline);
        }
      }
      Http.Reply next = http.post("/get-online-features", READ_AMOUNT);
      assertThat(next.status()).as(next.body()).isEqualTo(200);
      assertThat(next.body()).contains("4.5");
      assertThat(http.get("/metrics").body()).contains(
          "quiver_requests_seconds_count{endpoint=\"get-online-features\",outcome=\"server_error\",protocol=\"http\"} 2");
    }
  }

  @Test
  void anErrorInATransformIsInternalOverGrpc() throws Exception {
    try (FeatureRepo repo = FeatureRepo.open(repoWithTheTransform());
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback())) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      try {
        ServingServiceGrpc.ServingServiceBlockingStub stub = ServingServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS);
        GetOnlineFeaturesRequest request = GetOnlineFeaturesRequest.newBuilder()
            .setFeatures(FeatureList.newBuilder().addVal("user_stats:broken"))
            .putEntities("user_id", RepeatedValue.newBuilder().addVal(Value.newBuilder().setInt64Val(3)).build()).build();
        assertThatThrownBy(() -> stub.getOnlineFeatures(request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).contains("AssertionError", "a bug in the transform");
        });
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aTransformMissingALibraryIsUnavailableNamingTheTransformAndTheClass() throws Exception {
    try (FeatureRepo repo = FeatureRepo.open(repoWithTheTransform("throw new NoClassDefFoundError(\"com/acme/MissingLibrary\");"));
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
         Http http = new Http(server.httpPort())) {
      Http.Reply r = http.post("/get-online-features", READ_BROKEN);
      assertThat(r.status()).as(r.body()).isEqualTo(503);
      assertThat(HttpServerTest.error(r).get("message").asText()).contains("transform " + TRANSFORM, "cannot run here",
          "com/acme/MissingLibrary", "transform classpath");
    }
  }

  private static void assertInternalError(Http.Reply r) {
    assertThat(r.status()).as(r.body()).isEqualTo(500);
    assertThat(HttpServerTest.error(r).get("message").asText())
        .isEqualTo("internal error; the server log has the details");
  }
}
