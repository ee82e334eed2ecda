package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.client.FeatureClient;
import dev.quiver.client.FeatureServerException;
import dev.quiver.client.GrpcFeatureClient;
import dev.quiver.client.OnlineFeatures;
import dev.quiver.client.OnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.FeatureList;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.Value;
import dev.quiver.server.grpc.GrpcFrontEnd;
import dev.quiver.server.http.HttpFrontEnd;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Overload and slow clients: idle connections are closed (but never a request in progress), a
 * slow-loris client gets 408 and is cut off, connections past the cap get 503, and a burst past what
 * the workers can take is shed with fast 503s (queue deadline, queue bound, gRPC in-flight limit),
 * counted in metrics, leaving no backlog: the next request is served at once. gRPC gets the same queue
 * deadline ({@code UNAVAILABLE}) and connection cap (closed at accept).
 */
class AdmissionTest {
  private static final String READ = "{\"features\": [\"v:f\"], \"entities\": {\"k\": [1]}}";
  private final List<AutoCloseable> open = new ArrayList<>();
  private final ServerMetrics metrics = new ServerMetrics();

  @AfterEach
  void close() throws Exception {
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** Serving whose first call waits for {@code release} (after counting down {@code entered}); later calls answer at once. */
  private static Gate gate(CountDownLatch entered, CountDownLatch release) {
    return new Gate(entered, release);
  }

  /** {@link HeldWorker} over HTTP, queueing up to {@code queued} requests. */
  private HeldWorker<HttpResponse<String>> heldHttp(ServerOptions.Admission admission, int queued) throws Exception {
    HeldWorker<HttpResponse<String>> held = new HeldWorker<>(queued);
    HttpFrontEnd front = http(admission, held.gate, held.workers);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    open.add(client);
    held.port = front.port();
    return held.start(() -> post(client, front.port()));
  }

  /** {@link HeldWorker} over gRPC (in-flight limit 100), queueing without bound but {@code admission}'s. */
  private HeldWorker<OnlineFeatures> heldGrpc(ServerOptions.Admission admission) throws Exception {
    HeldWorker<OnlineFeatures> held = new HeldWorker<>(64);
    open.add(held.workers::shutdownNow);
    ExecutorService callers = Executors.newFixedThreadPool(8);
    open.add(callers::shutdownNow);
    GrpcFrontEnd front = GrpcFrontEnd.start(ServerOptions.loopback().withShutdownGrace(Duration.ofMillis(100))
        .withAdmission(admission), 100, held.gate, metrics, held.workers);
    open.add(front);
    held.port = front.port();
    GrpcFeatureClient client = FeatureClient.grpc("127.0.0.1", front.port(), Duration.ofSeconds(10));
    open.add(client);
    OnlineFeaturesRequest read = OnlineFeaturesRequest.features("v:f").entity("k", 1L);
    return held.start(() -> CompletableFuture.supplyAsync(() -> client.getOnlineFeatures(read), callers));
  }

  private HttpFrontEnd http(ServerOptions.Admission admission, FeatureServing serving, ThreadPoolExecutor workers) {
    open.add(workers::shutdownNow);
    HttpFrontEnd front = HttpFrontEnd.start(ServerOptions.loopback().withThreads(1, workers.getMaximumPoolSize())
        .withAdmission(admission).withShutdownGrace(Duration.ofMillis(100)), serving, null, metrics, workers);
    open.add(front);
    return front;
  }

  private HttpFrontEnd http(ServerOptions.Admission admission) {
    return http(admission, gate(new CountDownLatch(1), new CountDownLatch(0)), pool(1, 16));
  }

  private static ThreadPoolExecutor pool(int threads, int queued) {
    return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queued));
  }

  @Test
  void idleConnectionsAreClosedAfterTheIdleTimeoutButNotARequestInProgress() throws Exception {
    HttpFrontEnd front = http(ServerOptions.Admission.DEFAULTS.withIdleTimeout(Duration.ofMillis(300)),
        GracefulShutdownTest.slow(new CountDownLatch(1)), pool(2, 16));
    try (Socket silent = socket(front.port())) {
      assertThat(silent.getInputStream().read()).as("a connection that never sent anything is closed").isEqualTo(-1);
    }
    try (Socket served = socket(front.port())) {
      // a request that takes 500 ms (longer than the idle timeout) is answered; then the connection idles out
      send(served, "POST /get-online-features HTTP/1.1\r\nHost: x\r\nContent-Length: " + READ.length() + "\r\n\r\n" + READ);
      String reply = readUntilClosed(served);
      assertThat(reply).startsWith("HTTP/1.1 200").contains("\"f\"");
    }
    assertThat(metrics.closedCount(ServerMetrics.IDLE)).isEqualTo(2);
    assertThat(metrics.scrape()).contains("quiver_connections_closed_total{reason=\"idle\"} 2.0");
  }

  @Test
  void aSlowLorisClientGets408AndIsCutOffBeforeItFinishes() throws Exception {
    HttpFrontEnd front = http(ServerOptions.Admission.DEFAULTS.withRequestTimeout(Duration.ofMillis(500)));
    byte[] request = ("GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(100) + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    int sent = 0;
    try (Socket slow = socket(front.port())) {
      InputStream in = slow.getInputStream();
      try {
        while (sent < request.length && in.available() == 0) { // one byte every 100 ms: 13 s for the whole request
          slow.getOutputStream().write(request[sent++]);
          slow.getOutputStream().flush();
          Thread.sleep(100);
        }
      } catch (IOException cutOff) {
        // the server closed the connection under us
      }
      String reply = readUntilClosed(slow);
      assertThat(reply).startsWith("HTTP/1.1 408").contains("request_timeout").contains("--request-timeout");
    }
    assertThat(sent).as("cut off before the request was whole").isLessThan(request.length);
    assertThat(metrics.closedCount(ServerMetrics.REQUEST_TIMEOUT)).isEqualTo(1);
    // a client that sends its request at once is unaffected
    try (Http ok = new Http(front.port())) {
      assertThat(ok.get("/health").status()).isEqualTo(200);
    }
  }

  @Test
  void connectionsBeyondTheCapGet503AndAreClosedAndOnesUnderItAreServed() throws Exception {
    HttpFrontEnd front = http(ServerOptions.Admission.DEFAULTS.withMaxConnections(2));
    String health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    try (Socket a = socket(front.port()); Socket b = socket(front.port())) {
      for (Socket s : List.of(a, b)) {
        send(s, health);
        assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
      }
      try (Socket c = socket(front.port())) {
        send(c, health);
        String refused = readUntilClosed(c);
        assertThat(refused).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after: 1").contains("--max-connections");
      }
      assertThat(metrics.closedCount(ServerMetrics.OVER_CAPACITY)).isEqualTo(1);
      a.close();
      await(() -> metrics.openConnections().get() == 1);
      try (Socket d = socket(front.port())) {
        send(d, health);
        assertThat(readResponse(d)).as("a slot freed up").startsWith("HTTP/1.1 200");
      }
    }
  }

  @Test
  void aBurstThatWaitedPastTheQueueTimeoutIsShedWithoutRunningAndTheNextRequestIsServedAtOnce() throws Exception {
    HeldWorker<HttpResponse<String>> held = heldHttp(ServerOptions.Admission.DEFAULTS.withQueueTimeout(Duration.ofMillis(200)), 64);
    List<CompletableFuture<HttpResponse<String>>> burst = held.burst(20);
    await(() -> held.workers.getQueue().size() == 20);
    Thread.sleep(400); // every queued request is now past its 200 ms deadline
    assertThat(held.releaseFirst().statusCode()).isEqualTo(200);
    for (CompletableFuture<HttpResponse<String>> r : burst) {
      HttpResponse<String> shed = r.get(10, TimeUnit.SECONDS);
      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.headers().firstValue("retry-after")).hasValue("1");
      assertThat(shed.body()).contains("--queue-timeout");
    }
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_TIMEOUT)).isEqualTo(20);
    assertThat(metrics.scrape()).contains("quiver_requests_shed_total{protocol=\"http\",reason=\"queue_timeout\"} 20.0");
    // no backlog is left: the next request runs at once
    assertThat(held.call().get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(held.workers.getQueue()).isEmpty();
    assertThat(held.gate.calls).as("shed requests never reached the service").hasValue(2);
  }

  @Test
  void queuedRequestsAreRefusedAtTheirDeadlineEvenWhileEveryWorkerIsStillBusy() throws Exception {
    HeldWorker<HttpResponse<String>> held = heldHttp(ServerOptions.Admission.DEFAULTS.withQueueTimeout(Duration.ofMillis(100)), 64);
    List<CompletableFuture<HttpResponse<String>>> burst = held.burst(10);
    // the only worker is still held: each queued request is answered by its deadline, not by a worker
    for (CompletableFuture<HttpResponse<String>> r : burst) {
      HttpResponse<String> shed = r.get(10, TimeUnit.SECONDS);
      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.body()).contains("--queue-timeout");
    }
    assertThat(held.firstDone()).isFalse();
    assertThat(held.workers.getQueue()).as("each refused request left the queue at its deadline").isEmpty();
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_TIMEOUT)).isEqualTo(10);
    assertThat(held.releaseFirst().statusCode()).isEqualTo(200);
    // nothing is left to run or to answer twice; the next request is served normally
    assertThat(held.call().get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(held.gate.calls).hasValue(2);
  }

  @Test
  void requestsThatFindTheQueueFullAreRefusedAtOnce() throws Exception {
    HeldWorker<HttpResponse<String>> held = heldHttp(ServerOptions.Admission.DEFAULTS.withQueueTimeout(Duration.ofSeconds(30)), 2);
    List<CompletableFuture<HttpResponse<String>>> burst = held.burst(5);
    // three are refused while the worker is still held: they did not wait for it
    await(() -> burst.stream().filter(CompletableFuture::isDone).count() == 3 && held.workers.getQueue().size() == 2);
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_FULL)).isEqualTo(3);
    assertThat(held.releaseFirst().statusCode()).isEqualTo(200);
    List<Integer> statuses = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> r : burst) {
      statuses.add(r.get(10, TimeUnit.SECONDS).statusCode());
    }
    assertThat(statuses).containsExactlyInAnyOrder(200, 200, 503, 503, 503);
  }

  @Test
  void grpcCallsPastTheInFlightLimitAreRefusedAndCounted() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService executor = Executors.newFixedThreadPool(4);
    open.add(executor::shutdownNow);
    GrpcFrontEnd front = GrpcFrontEnd.start(ServerOptions.loopback().withShutdownGrace(Duration.ofMillis(100)), 1,
        gate(entered, release), metrics, executor);
    open.add(front);
    try (GrpcFeatureClient client = FeatureClient.grpc("127.0.0.1", front.port(), Duration.ofSeconds(10))) {
      OnlineFeaturesRequest read = OnlineFeaturesRequest.features("v:f").entity("k", 1L);
      CompletableFuture<?> first = CompletableFuture.supplyAsync(() -> client.getOnlineFeatures(read));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      assertThatThrownBy(() -> client.getOnlineFeatures(read)).isInstanceOf(FeatureServerException.class)
          .hasMessageContaining("RESOURCE_EXHAUSTED");
      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      assertThat(client.getOnlineFeatures(read).column("f").values()).containsExactly(1L);
    }
    assertThat(metrics.shedCount(ServerMetrics.IN_FLIGHT)).isEqualTo(1);
  }

  @Test
  void grpcCallsThatWaitedPastTheQueueTimeoutAreRefusedWithoutRunningAndTheNextCallIsServedAtOnce() throws Exception {
    HeldWorker<OnlineFeatures> held = heldGrpc(ServerOptions.Admission.DEFAULTS.withQueueTimeout(Duration.ofMillis(200)));
    List<CompletableFuture<OnlineFeatures>> burst = held.burst(5);
    await(() -> held.workers.getQueue().size() >= 5);
    Thread.sleep(400); // every queued call is now past its 200 ms deadline
    held.releaseFirst();
    for (CompletableFuture<OnlineFeatures> call : burst) {
      assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(FeatureServerException.class)
          .hasMessageContaining("UNAVAILABLE").hasMessageContaining("--queue-timeout");
    }
    assertThat(held.gate.calls).as("shed calls never reached the service").hasValue(1);
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_TIMEOUT)).isEqualTo(5);
    assertThat(metrics.scrape()).contains("quiver_requests_shed_total{protocol=\"grpc\",reason=\"queue_timeout\"} 5.0");
    // no backlog is left: the next call runs at once
    assertThat(held.call().get(10, TimeUnit.SECONDS).column("f").values()).containsExactly(1L);
    assertThat(held.gate.calls).hasValue(2);
  }

  @Test
  void grpcCallsStillQueuedAtTheirDeadlineAreRefusedThenWhileEveryWorkerIsStillBusy() throws Exception {
    long timeoutMs = 300;
    long slackMs = 400; // the timer fires on a network thread of a shared 2-core machine; a worker would take 30 s
    HeldWorker<OnlineFeatures> held = heldGrpc(ServerOptions.Admission.DEFAULTS.withQueueTimeout(Duration.ofMillis(timeoutMs)));
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", held.port).usePlaintext().build();
    open.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    channel.getState(true); // connected before the clock starts: the deadline counts from the server's read
    await(() -> channel.getState(false) == ConnectivityState.READY);
    GetOnlineFeaturesRequest read = GetOnlineFeaturesRequest.newBuilder()
        .setFeatures(FeatureList.newBuilder().addVal("v:f"))
        .putEntities("k", RepeatedValue.newBuilder().addVal(Value.newBuilder().setInt64Val(1)).build()).build();
    List<CompletableFuture<StatusRuntimeException>> refusals = new ArrayList<>();
    List<Long> refusedAfterNanos = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 5; i++) {
      CompletableFuture<StatusRuntimeException> refused = new CompletableFuture<>();
      long at = System.nanoTime();
      ServingServiceGrpc.newStub(channel).getOnlineFeatures(read, new StreamObserver<>() {
        @Override
        public void onNext(GetOnlineFeaturesResponse r) {}

        @Override
        public void onError(Throwable t) {
          refusedAfterNanos.add(System.nanoTime() - at);
          refused.complete((StatusRuntimeException) t);
        }

        @Override
        public void onCompleted() {
          refused.completeExceptionally(new AssertionError("a queued call ran"));
        }
      });
      refusals.add(refused);
    }
    for (CompletableFuture<StatusRuntimeException> refused : refusals) {
      StatusRuntimeException e = refused.get(10, TimeUnit.SECONDS);
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).contains("--queue-timeout");
      assertThat(e.getTrailers().get(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER)))
          .isEqualTo("1000");
    }
    assertThat(held.firstDone()).as("every refusal came while the only worker was still held").isFalse();
    assertThat(refusedAfterNanos).as("refused at the deadline (%d ms), not before, nor much after: %s ns", timeoutMs,
        refusedAfterNanos).allSatisfy(n -> assertThat(n).isBetween(TimeUnit.MILLISECONDS.toNanos(timeoutMs),
            TimeUnit.MILLISECONDS.toNanos(timeoutMs + slackMs)));
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_TIMEOUT)).isEqualTo(5);
    assertThat(held.workers.getQueue()).as("their tasks wait for the worker, which will skip them").hasSize(5);

    held.releaseFirst();
    await(() -> held.workers.getQueue().isEmpty() && held.workers.getActiveCount() == 0);
    assertThat(held.gate.calls).as("the worker skipped the refused calls").hasValue(1);
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_TIMEOUT)).as("and answered none of them twice").isEqualTo(5);
    assertThat(held.call().get(10, TimeUnit.SECONDS).column("f").values()).containsExactly(1L);
    assertThat(held.gate.calls).hasValue(2);
  }

  @Test
  void grpcCallsThatFindTheQueueFullAreRefusedAtOnceWithoutQueueing() throws Exception {
    HeldWorker<OnlineFeatures> held = heldGrpc(ServerOptions.Admission.DEFAULTS.withQueueTimeout(Duration.ofSeconds(30)).withMaxQueued(2));
    List<CompletableFuture<OnlineFeatures>> burst = held.burst(5);
    // three are refused while the worker is still held: they did not wait for it
    await(() -> burst.stream().filter(CompletableFuture::isDone).count() == 3);
    assertThat(metrics.shedCount(ServerMetrics.IN_FLIGHT)).isEqualTo(3);
    for (CompletableFuture<OnlineFeatures> call : burst.stream().filter(CompletableFuture::isDone).toList()) {
      assertThatThrownBy(call::join).cause().isInstanceOf(FeatureServerException.class)
          .hasMessageContaining("RESOURCE_EXHAUSTED").hasMessageContaining("waiting for a worker");
    }
    held.releaseFirst();
    long served = 0;
    for (CompletableFuture<OnlineFeatures> call : burst) {
      served += call.handle((ok, e) -> e == null ? 1 : 0).get(10, TimeUnit.SECONDS);
    }
    assertThat(served).as("the two queued calls ran").isEqualTo(2);
    assertThat(held.call().get(10, TimeUnit.SECONDS).column("f").values()).as("the queue is free again").containsExactly(1L);
    assertThat(held.gate.calls).hasValue(4);
  }

  @Test
  void grpcConnectionsBeyondTheCapAreClosedAndOnesUnderItAreServed() throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(2);
    open.add(executor::shutdownNow);
    GrpcFrontEnd front = GrpcFrontEnd.start(ServerOptions.loopback().withShutdownGrace(Duration.ofMillis(100))
        .withAdmission(ServerOptions.Admission.DEFAULTS.withMaxConnections(1)), 100,
        gate(new CountDownLatch(1), new CountDownLatch(0)), metrics, executor);
    open.add(front);
    OnlineFeaturesRequest read = OnlineFeaturesRequest.features("v:f").entity("k", 1L);
    try (GrpcFeatureClient a = FeatureClient.grpc("127.0.0.1", front.port(), Duration.ofSeconds(10))) {
      assertThat(a.getOnlineFeatures(read).column("f").values()).containsExactly(1L);
      try (GrpcFeatureClient b = FeatureClient.grpc("127.0.0.1", front.port(), Duration.ofSeconds(10))) {
        assertThatThrownBy(() -> b.getOnlineFeatures(read)).isInstanceOf(FeatureServerException.class)
            .hasMessageContaining("UNAVAILABLE");
      }
      await(() -> metrics.closedCount(ServerMetrics.OVER_CAPACITY) >= 1);
      assertThat(front.connections()).isEqualTo(1);
      assertThat(a.getOnlineFeatures(read).column("f").values()).as("the connection under the cap still works")
          .containsExactly(1L);
    }
    await(() -> front.connections() == 0);
    try (GrpcFeatureClient c = FeatureClient.grpc("127.0.0.1", front.port(), Duration.ofSeconds(10))) {
      assertThat(c.getOnlineFeatures(read).column("f").values()).as("a slot freed up").containsExactly(1L);
    }
  }

  private static CompletableFuture<HttpResponse<String>> post(HttpClient client, int port) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/get-online-features"))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(READ)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Socket socket(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(15_000);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
  }

  /** Everything the server sends until it closes the connection. */
  private static String readUntilClosed(Socket s) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        got.write(buf, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // closed with unread input: what arrived before counts
    }
    return got.toString(StandardCharsets.UTF_8);
  }

  /** One response with a Content-Length body, leaving the connection open. */
  private static String readResponse(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        return head.toString();
      }
      head.append((char) c);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
