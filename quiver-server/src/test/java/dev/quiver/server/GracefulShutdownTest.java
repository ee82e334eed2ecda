package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.client.FeatureClient;
import dev.quiver.client.FeatureServerException;
import dev.quiver.client.GrpcFeatureClient;
import dev.quiver.client.OnlineFeatures;
import dev.quiver.client.OnlineFeaturesRequest;
import dev.quiver.server.grpc.GrpcFrontEnd;
import dev.quiver.server.http.HttpFrontEnd;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Closing the HTTP or gRPC front end lets accepted requests finish and refuses new ones. The serving
 * side is a slow stand-in (it waits on a latch), which is what makes "in flight" observable.
 */
class GracefulShutdownTest {
  @Test
  void inFlightRequestsFinishAndNewConnectionsAreRefused() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    FeatureServing slow = slow(entered);
    ExecutorService workers = Executors.newFixedThreadPool(2);
    HttpFrontEnd front = HttpFrontEnd.start(ServerOptions.loopback().withThreads(1, 2).withLimits(1 << 20, 10_000)
        .withShutdownGrace(Duration.ofSeconds(5)), slow, null, new ServerMetrics(), workers);
    int port = front.port();
    try (Http http = new Http(port)) {
      CompletableFuture<Http.Reply> inFlight = CompletableFuture.supplyAsync(() ->
          http.post("/get-online-features", "{\"features\": [\"v:f\"], \"entities\": {\"k\": [1]}}"));
      assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
      long started = System.nanoTime();
      front.close();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("close waited for the request").isGreaterThan(Duration.ofMillis(200));
      Http.Reply r = inFlight.get(5, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("metadata").get("feature_names").toString()).isEqualTo("[\"k\",\"f\"]");
      try (Http fresh = new Http(port)) {
        assertThatThrownBy(() -> fresh.get("/health")).isInstanceOf(java.io.UncheckedIOException.class);
      }
    } finally {
      workers.shutdownNow();
    }
  }

  /** Serving that signals {@code entered} and then takes 500 ms to answer one column {@code f}. */
  static FeatureServing slow(CountDownLatch entered) {
    return new FeatureServing() {
      @Override
      public OnlineResponse getOnlineFeatures(OnlineRequest request) {
        entered.countDown();
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new OnlineResponse(request.entities(), List.of(new FeatureColumn("f", null, null, List.of(1L),
            List.of(dev.quiver.core.online.FeatureStatus.PRESENT), java.util.Collections.singletonList(null))));
      }

      @Override
      public String version() {
        return "test";
      }
    };
  }

  @Test
  void grpcCallsInFlightFinishAndNewCallsAreRefused() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    ExecutorService workers = Executors.newFixedThreadPool(2);
    GrpcFrontEnd front = GrpcFrontEnd.start(ServerOptions.loopback().withLimits(1 << 20, 10_000)
        .withShutdownGrace(Duration.ofSeconds(5)), 100, slow(entered), new ServerMetrics(), workers);
    try (GrpcFeatureClient client = FeatureClient.grpc("127.0.0.1", front.port())) {
      CompletableFuture<OnlineFeatures> inFlight = CompletableFuture.supplyAsync(() ->
          client.getOnlineFeatures(OnlineFeaturesRequest.features("v:f").entity("k", 1L)));
      assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
      long started = System.nanoTime();
      front.close();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("close waited for the call").isGreaterThan(Duration.ofMillis(200));
      OnlineFeatures answer = inFlight.get(5, TimeUnit.SECONDS);
      assertThat(answer.names()).containsExactly("k", "f");
      assertThat(answer.value("f", 0)).isEqualTo(1L);
      assertThatThrownBy(() -> client.getOnlineFeatures(OnlineFeaturesRequest.features("v:f").entity("k", 1L)))
          .isInstanceOfSatisfying(FeatureServerException.class, e -> assertThat(e.code()).isEqualTo("UNAVAILABLE"));
    } finally {
      workers.shutdownNow();
    }
  }
}
