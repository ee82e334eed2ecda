package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.grpc.feast.serving.FeatureList;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.Value;
import dev.quiver.server.grpc.GrpcFrontEnd;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The latency limit ({@code --latency-target}) on gRPC's online reads: with one call thread the limit starts at its
 * ceiling of 128 calls in flight; with the thread held and the queue budget out of the way, the 129th call and later
 * are refused {@code UNAVAILABLE} on arrival with a pushback, without queueing or running; every admitted call gives
 * its place back when its stream closes, answered or refused at its queue deadline; and off (the default,
 * {@code --latency-target 0}) nothing is refused for it.
 */
class GrpcLatencyLimitTest {
  private static final ServerOptions.Admission ON = ServerOptions.Admission.DEFAULTS.withQueueBudget(Duration.ofHours(1))
      .withQueueTimeout(Duration.ofSeconds(30)).withLatencyTarget(Duration.ofMillis(5));
  private static final GetOnlineFeaturesRequest READ = GetOnlineFeaturesRequest.newBuilder()
      .setFeatures(FeatureList.newBuilder().addVal("v:f"))
      .putEntities("k", RepeatedValue.newBuilder().addVal(Value.newBuilder().setInt64Val(1)).build()).build();
  private final List<AutoCloseable> open = new ArrayList<>();
  private final ServerMetrics metrics = new ServerMetrics();
  private final List<String> pushbacks = Collections.synchronizedList(new ArrayList<>());
  private final HeldWorker<Status> held = new HeldWorker<>(256);
  private ManagedChannel channel;

  @AfterEach
  void close() throws Exception {
    held.release.countDown();
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
    held.workers.shutdownNow();
  }

  private void start(ServerOptions.Admission admission) throws Exception {
    GrpcFrontEnd front = GrpcFrontEnd.start(ServerOptions.loopback().withShutdownGrace(Duration.ofMillis(100))
        .withAdmission(admission), 1_000, held.gate, metrics, held.workers);
    open.add(front);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", front.port()).usePlaintext().build();
    open.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    held.start(this::call);
  }

  @Test
  void callsPastTheLimitAreRefusedOnArrivalAndEveryAdmittedCallGivesItsPlaceBack() throws Exception {
    start(ON);
    assertThat(gauge("quiver_admission_limit")).isEqualTo(128);
    List<CompletableFuture<Status>> burst = held.burst(140);
    await(() -> burst.stream().filter(CompletableFuture::isDone).count() == 13 && held.workers.getQueue().size() == 127);
    List<Status> refused = burst.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
    assertThat(refused).hasSize(13).allSatisfy(s -> {
      assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(s.getDescription()).contains("latency limit").contains("--latency-target").contains("not run");
    });
    assertThat(pushbacks).as("every refusal says when to retry").hasSize(13).containsOnly("1000");
    assertThat(held.gate.calls).as("refused calls never reached the service").hasValue(1);
    assertThat(metrics.shedCount(ServerMetrics.LATENCY_LIMIT)).isEqualTo(13);
    assertThat(metrics.scrape()).contains("quiver_requests_shed_total{protocol=\"grpc\",reason=\"latency_limit\"} 13.0");
    assertThat(gauge("quiver_admission_in_flight")).isEqualTo(128);

    assertThat(held.releaseFirst().getCode()).isEqualTo(Status.Code.OK);
    for (CompletableFuture<Status> call : burst) {
      assertThat(call.get(10, TimeUnit.SECONDS).getCode()).isIn(Status.Code.OK, Status.Code.UNAVAILABLE);
    }
    assertThat(held.gate.calls).hasValue(128);
    await(() -> gauge("quiver_admission_in_flight") == 0);
    assertThat(held.call().get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    await(() -> gauge("quiver_admission_in_flight") == 0);
  }

  @Test
  void aCallRefusedAtItsQueueDeadlineGivesItsPlaceBack() throws Exception {
    start(ON.withQueueTimeout(Duration.ofMillis(200)));
    List<CompletableFuture<Status>> burst = held.burst(5);
    for (CompletableFuture<Status> call : burst) {
      Status s = call.get(10, TimeUnit.SECONDS);
      assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(s.getDescription()).contains("--queue-timeout");
    }
    await(() -> gauge("quiver_admission_in_flight") == 1); // the held call only
    assertThat(held.releaseFirst().getCode()).isEqualTo(Status.Code.OK);
    await(() -> gauge("quiver_admission_in_flight") == 0);
    assertThat(metrics.shedCount(ServerMetrics.LATENCY_LIMIT)).isZero();
  }

  @Test
  void offByDefaultNothingIsRefusedForIt() throws Exception {
    start(ServerOptions.Admission.DEFAULTS.withQueueBudget(Duration.ofHours(1)).withQueueTimeout(Duration.ofSeconds(30)));
    List<CompletableFuture<Status>> burst = held.burst(140);
    await(() -> held.workers.getQueue().size() == 140);
    assertThat(burst).noneMatch(CompletableFuture::isDone);
    assertThat(metrics.scrape()).doesNotContain("quiver_admission_limit");
    held.releaseFirst();
    for (CompletableFuture<Status> call : burst) {
      assertThat(call.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    }
    assertThat(metrics.shedCount(ServerMetrics.LATENCY_LIMIT)).isZero();
  }

  private double gauge(String name) {
    return PromText.parse(metrics.scrape()).samples().getOrDefault(PromText.key(name, Map.of("protocol", "grpc")), Double.NaN);
  }

  private CompletableFuture<Status> call() {
    CompletableFuture<Status> done = new CompletableFuture<>();
    ServingServiceGrpc.newStub(channel).getOnlineFeatures(READ, new StreamObserver<>() {
      @Override
      public void onNext(GetOnlineFeaturesResponse r) {}

      @Override
      public void onError(Throwable t) {
        Metadata trailers = Status.trailersFromThrowable(t);
        String pushback = trailers == null ? null : trailers.get(Metadata.Key.of("grpc-retry-pushback-ms",
            Metadata.ASCII_STRING_MARSHALLER));
        if (pushback != null) {
          pushbacks.add(pushback);
        }
        done.complete(t instanceof StatusRuntimeException e ? e.getStatus() : Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        done.complete(Status.OK);
      }
    });
    return done;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 20 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
