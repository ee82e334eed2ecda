package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.grpc.feast.serving.FeatureList;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.Value;
import dev.quiver.server.grpc.GrpcFrontEnd;
import dev.quiver.server.http.HttpFrontEnd;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Refusal on arrival: once the server knows its service time, a request that would wait for a worker
 * longer than the queue budget is refused at once (503 / {@code UNAVAILABLE} with a pushback)
 * without being queued or reaching the service, while the one worker is still busy; the requests it
 * admitted run; and when the flood has passed nothing is left queued and the next request runs.
 *
 * <p>The set-up: one worker; the service's first call takes {@value #FIRST_MS} ms (the service time the
 * server learns), its second holds the worker until released, later ones answer at once. With a 2 s
 * queue budget (and a 4 s queue timeout), one to three requests of a burst can be admitted behind the
 * held one (three when the first call's measured time is under 1 s), the rest are refused on arrival.
 */
class ArrivalAdmissionTest {
  private static final long FIRST_MS = 800;
  private static final ServerOptions.Admission ADMISSION = ServerOptions.Admission.DEFAULTS.withQueueTimeout(Duration.ofSeconds(4))
      .withQueueBudget(Duration.ofSeconds(2));
  private static final String READ = "{\"features\": [\"v:f\"], \"entities\": {\"k\": [1]}}";
  private final List<AutoCloseable> open = new ArrayList<>();
  private final ServerMetrics metrics = new ServerMetrics();
  private final Paced service = new Paced();
  private final ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(64));

  /** The first call takes {@link #FIRST_MS}, the second waits for {@link #release}, the rest answer at once. */
  static final class Paced implements FeatureServing {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch holding = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public OnlineResponse getOnlineFeatures(OnlineRequest request) {
      int n = calls.incrementAndGet();
      try {
        if (n == 1) {
          Thread.sleep(FIRST_MS);
        } else if (n == 2) {
          holding.countDown();
          release.await(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new OnlineResponse(request.entities(), List.of(new FeatureColumn("f", null, null, List.of(1L),
          List.of(FeatureStatus.PRESENT), Collections.singletonList(null))));
    }

    @Override
    public String version() {
      return "test";
    }
  }

  @AfterEach
  void close() throws Exception {
    service.release.countDown();
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
    worker.shutdownNow();
  }

  @Test
  void overHttpTheExcessIsRefusedOnArrivalWithoutReachingAWorkerAndNoBacklogIsLeft() throws Exception {
    HttpFrontEnd front = HttpFrontEnd.start(ServerOptions.loopback().withThreads(1, 1).withAdmission(ADMISSION)
        .withShutdownGrace(Duration.ofMillis(100)), service, null, metrics, worker);
    open.add(front);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    open.add(client);
    assertThat(post(client, front.port()).get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200); // learns ~800 ms
    CompletableFuture<HttpResponse<String>> held = post(client, front.port());
    assertThat(service.holding.await(10, TimeUnit.SECONDS)).isTrue();

    List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(post(client, front.port()));
    }
    // every refusal arrives while the only worker is still held: none waited for it
    await(() -> burst.stream().filter(CompletableFuture::isDone).count() + worker.getQueue().size() == 20);
    List<HttpResponse<String>> refused = burst.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
    int admitted = worker.getQueue().size();
    assertThat(admitted).as("admitted behind the held request").isBetween(1, 3);
    assertThat(held).isNotDone();
    assertThat(refused).hasSize(20 - admitted).allSatisfy(r -> {
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().firstValue("retry-after")).hasValue("1");
      assertThat(r.body()).contains("would take longer to run than the queue budget").contains("--queue-budget").contains("was not run");
    });
    assertThat(service.calls).as("refused requests never reached the service").hasValue(2);
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_WAIT)).isEqualTo(20 - admitted);
    assertThat(metrics.scrape()).contains("quiver_requests_shed_total{protocol=\"http\",reason=\"queue_wait\"} "
        + (20 - admitted) + ".0");

    service.release.countDown();
    assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    for (CompletableFuture<HttpResponse<String>> r : burst) {
      assertThat(r.get(10, TimeUnit.SECONDS).statusCode()).isIn(200, 503);
    }
    assertThat(burst.stream().filter(r -> r.join().statusCode() == 200).count()).as("the admitted ones ran").isEqualTo(admitted);
    // the flood has passed: nothing is queued, and the next request runs
    assertThat(worker.getQueue()).isEmpty();
    assertThat(post(client, front.port()).get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(service.calls).hasValue(3 + admitted);
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_TIMEOUT)).isZero();
  }

  @Test
  void readinessAndMetricsAreQueuedNotRefusedWhileTheBudgetRefusesReads() throws Exception {
    ServerOperations ops = (ServerOperations) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ServerOperations.class}, (proxy, method, args) -> switch (method.getName()) {
          case "scrapeMetrics" -> metrics.scrape();
          case "readiness" -> new ServerOperations.Readiness(true, 1, Map.of("registry", "ok"));
          case "guard" -> Guard.OPEN;
          default -> throw new UnsupportedOperationException(method.getName());
        });
    HttpFrontEnd front = HttpFrontEnd.start(ServerOptions.loopback().withThreads(1, 1).withAdmission(ADMISSION)
        .withShutdownGrace(Duration.ofMillis(100)), service, ops, metrics, worker);
    open.add(front);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    open.add(client);
    assertThat(post(client, front.port()).get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200); // learns ~800 ms
    CompletableFuture<HttpResponse<String>> held = post(client, front.port());
    assertThat(service.holding.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(post(client, front.port()));
    }
    await(() -> burst.stream().filter(CompletableFuture::isDone).count() + worker.getQueue().size() == 20);
    assertThat(post(client, front.port()).get(10, TimeUnit.SECONDS).statusCode()).as("reads are refused now").isEqualTo(503);

    int queuedBefore = worker.getQueue().size();
    CompletableFuture<HttpResponse<String>> ready = get(client, front.port(), "/ready");
    CompletableFuture<HttpResponse<String>> scrape = get(client, front.port(), "/metrics");
    await(() -> worker.getQueue().size() == queuedBefore + 2); // queued behind the held worker, not answered 503
    assertThat(ready).isNotDone();
    assertThat(scrape).isNotDone();

    service.release.countDown();
    assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    HttpResponse<String> metricsAnswer = scrape.get(10, TimeUnit.SECONDS);
    assertThat(metricsAnswer.statusCode()).isEqualTo(200);
    assertThat(metricsAnswer.body()).contains("quiver_requests_shed_total");
    HttpResponse<String> readyAnswer = ready.get(10, TimeUnit.SECONDS);
    assertThat(readyAnswer.statusCode()).isEqualTo(200);
    assertThat(readyAnswer.body()).contains("READY");
  }

  @Test
  void overGrpcTheExcessIsRefusedUnavailableWithAPushbackOnArrivalAndNoBacklogIsLeft() throws Exception {
    GrpcFrontEnd front = GrpcFrontEnd.start(ServerOptions.loopback().withShutdownGrace(Duration.ofMillis(100))
        .withAdmission(ADMISSION), 100, service, metrics, worker);
    open.add(front);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", front.port()).usePlaintext().build();
    open.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    GetOnlineFeaturesRequest read = GetOnlineFeaturesRequest.newBuilder()
        .setFeatures(FeatureList.newBuilder().addVal("v:f"))
        .putEntities("k", RepeatedValue.newBuilder().addVal(Value.newBuilder().setInt64Val(1)).build()).build();
    ServingServiceGrpc.newBlockingStub(channel).getOnlineFeatures(read); // learns ~800 ms
    CompletableFuture<Status> held = call(channel, read);
    assertThat(service.holding.await(10, TimeUnit.SECONDS)).isTrue();

    List<CompletableFuture<Status>> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(call(channel, read));
    }
    await(() -> burst.stream().filter(CompletableFuture::isDone).count() + worker.getQueue().size() == 20);
    int admitted = worker.getQueue().size();
    assertThat(admitted).isBetween(1, 3);
    assertThat(held).isNotDone();
    List<Status> refused = burst.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
    assertThat(refused).hasSize(20 - admitted).allSatisfy(s -> {
      assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(s.getDescription()).contains("would take longer to run than the queue budget").contains("--queue-budget").contains("not run");
    });
    assertThat(pushbacks).as("every refusal says when to retry").hasSize(20 - admitted).containsOnly("1000");
    assertThat(service.calls).hasValue(2);
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_WAIT)).isEqualTo(20 - admitted);

    service.release.countDown();
    assertThat(held.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    long ran = 0;
    for (CompletableFuture<Status> s : burst) {
      ran += s.get(10, TimeUnit.SECONDS).isOk() ? 1 : 0;
    }
    assertThat(ran).isEqualTo(admitted);
    await(() -> worker.getQueue().isEmpty() && worker.getActiveCount() == 0);
    assertThat(call(channel, read).get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(service.calls).hasValue(3 + admitted);
  }

  private final List<String> pushbacks = Collections.synchronizedList(new ArrayList<>());

  private CompletableFuture<Status> call(ManagedChannel channel, GetOnlineFeaturesRequest read) {
    CompletableFuture<Status> done = new CompletableFuture<>();
    ServingServiceGrpc.newStub(channel).getOnlineFeatures(read, new StreamObserver<>() {
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

  private static CompletableFuture<HttpResponse<String>> post(HttpClient client, int port) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/get-online-features"))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(READ)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static CompletableFuture<HttpResponse<String>> get(HttpClient client, int port, String path) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
