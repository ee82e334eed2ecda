package dev.quiver.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.server.FeatureServing;
import dev.quiver.server.OnlineRequest;
import dev.quiver.server.ServerMetrics;
import dev.quiver.server.ServerMetricsAccess;
import dev.quiver.server.admission.LatencyLimit;
import dev.quiver.server.admission.QueueAdmission;
import dev.quiver.server.auth.Authenticator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Refusal on a request's head ({@link ArrivalGate}): over the queue budget, a request is answered the
 * constant 503 as soon as its head is read, before its body has arrived; the body is then dropped as it
 * comes and the connection serves the next request; answers stay in order on a connection with a
 * request in progress; and a request the gate must not judge (a body over the limit) gets the answer
 * it got before. On an embedded channel, bytes in and bytes out.
 */
class ArrivalGateTest {
  private static final int MAX_BODY = 4096;
  private static final String BODY = "{\"features\": [\"v:f\"], \"entities\": {\"k\": [1]}}";
  private final AtomicInteger served = new AtomicInteger();
  private final ServerMetrics metrics = ServerMetricsAccess.fresh();
  private final QueueAdmission admission = QueueAdmission.of(1, Duration.ofMillis(5), 1024);
  private final List<Runnable> queued = new ArrayList<>(); // the workers: tasks run when the test says
  private EmbeddedChannel channel;
  private LatencyLimit latency = LatencyLimit.OFF;

  @AfterEach
  void close() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
  }

  private EmbeddedChannel connection() {
    FeatureServing serving = new FeatureServing() {
      @Override
      public OnlineResponse getOnlineFeatures(OnlineRequest request) {
        served.incrementAndGet();
        return new OnlineResponse(request.entities(), List.of(new FeatureColumn("f", null, null, List.of(1L),
            List.of(FeatureStatus.PRESENT), Collections.singletonList(null))));
      }

      @Override
      public String version() {
        return "test";
      }
    };
    HttpApi api = new HttpApi(serving, null);
    Refusals refusals = Refusals.of(api, admission, latency);
    RequestDeadline deadline = new RequestDeadline(TimeUnit.SECONDS.toNanos(10));
    RequestHandler handler = new RequestHandler(api, Authenticator.NONE, queued::add, admission, refusals, metrics,
        new AtomicInteger(), TimeUnit.SECONDS.toNanos(10), deadline);
    channel = new EmbeddedChannel(deadline, new HttpServerCodec(), new HttpServerKeepAliveHandler(),
        new ArrivalGate(api, admission, refusals, metrics, deadline, handler, MAX_BODY), new HttpObjectAggregator(MAX_BODY),
        handler);
    return channel;
  }

  /**
   * Two more requests queued (admitted while the service time is still unknown), then a 10 ms service
   * time learnt: on one worker the next would wait 20 ms or more, over the 5 ms budget.
   */
  private void overBudget() {
    assertThat(admission.admit()).isEqualTo(QueueAdmission.Verdict.ADMITTED);
    assertThat(admission.admit()).isEqualTo(QueueAdmission.Verdict.ADMITTED);
    admission.finished(TimeUnit.MILLISECONDS.toNanos(10));
    assertThat(admission.peek()).isEqualTo(QueueAdmission.Verdict.OVER_BUDGET);
  }

  private void underBudget() {
    admission.abandoned();
    admission.abandoned();
  }

  private static String head(String method, int contentLength) {
    return method + " /get-online-features HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + contentLength + "\r\n\r\n";
  }

  private void send(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }

  /** Everything the server has written so far. */
  private String written() {
    StringBuilder out = new StringBuilder();
    for (Object o; (o = channel.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      out.append(b.toString(StandardCharsets.UTF_8));
      b.release();
    }
    return out.toString();
  }

  private void runWorkers() {
    while (!queued.isEmpty()) {
      queued.removeFirst().run();
      channel.runPendingTasks();
    }
  }

  @Test
  void refusedOnItsHeadBeforeTheBodyArrivesThenTheBodyIsDroppedAndTheConnectionServesTheNext() {
    connection();
    overBudget();
    String pad = "x".repeat(1000);
    String body = BODY.substring(0, BODY.length() - 1) + ", \"pad\": \"" + pad + "\"}";
    send(head("POST", body.length()));
    String refused = written();
    assertThat(refused).as("answered on the head alone").startsWith("HTTP/1.1 503 Service Unavailable\r\n")
        .contains("retry-after: 1\r\n").contains("content-type: application/json\r\n")
        .contains("feast.errors").contains("overloaded").contains("--queue-budget").contains("was not run");
    int length = Integer.parseInt(refused.replaceAll("(?s).*content-length: (\\d+)\r\n.*", "$1"));
    assertThat(refused.substring(refused.indexOf("\r\n\r\n") + 4)).hasSize(length);
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_WAIT)).isEqualTo(1);

    send(body.substring(0, 300)); // the body arrives after the answer, in pieces: dropped, nothing more is said
    send(body.substring(300));
    assertThat(written()).isEmpty();
    assertThat(queued).as("nothing reached the workers").isEmpty();

    underBudget();
    send(head("POST", BODY.length()) + BODY);
    runWorkers();
    assertThat(written()).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(served).hasValue(1);
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void theLatencyLimitRefusesOnTheHeadWhenFullAndHoldsAPlaceFromTheHeadToTheAnswer() {
    AtomicLong now = new AtomicLong();
    latency = LatencyLimit.of(Duration.ofMillis(5), 1, 1, now::get);
    connection();
    LatencyLimit.Permit elsewhere = latency.acquire(); // another connection's request holds the one place
    send(head("POST", BODY.length()) + BODY);
    String refused = written();
    assertThat(refused).startsWith("HTTP/1.1 503 Service Unavailable\r\n").contains("retry-after: 1\r\n")
        .contains("--latency-target").contains("was not run");
    assertThat(metrics.shedCount(ServerMetrics.LATENCY_LIMIT)).isEqualTo(1);
    assertThat(queued).as("nothing reached the workers").isEmpty();

    elsewhere.answered();
    send(head("POST", BODY.length()) + BODY);
    assertThat(queued).hasSize(1);
    assertThat(latency.inFlight()).as("queued: its place is held").isEqualTo(1);
    runWorkers();
    assertThat(written()).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(latency.inFlight()).as("answered: its place is free").isZero();
    assertThat(admission.queued()).isZero();
  }

  @Test
  void aRequestRefusedForTheBudgetGivesBackItsPlaceInTheLatencyLimit() {
    latency = LatencyLimit.of(Duration.ofMillis(5), 4, 4, new AtomicLong()::get);
    connection();
    send(head("POST", BODY.length()) + BODY); // admitted: it waits for a worker
    overBudget();
    send(head("POST", BODY.length()) + BODY); // pipelined: judged at its turn, refused for the budget
    runWorkers();
    String answers = written();
    assertThat(answers).startsWith("HTTP/1.1 200 OK\r\n").contains("HTTP/1.1 503 ").contains("--queue-budget");
    assertThat(latency.inFlight()).isZero();
  }

  @Test
  void readinessIsNeverRefusedForTheLatencyLimit() {
    latency = LatencyLimit.of(Duration.ofMillis(5), 1, 1, new AtomicLong()::get);
    connection();
    LatencyLimit.Permit elsewhere = latency.acquire();
    send("GET /ready HTTP/1.1\r\nHost: x\r\n\r\n");
    runWorkers();
    assertThat(written()).doesNotContain("--latency-target");
    assertThat(metrics.shedCount(ServerMetrics.LATENCY_LIMIT)).isZero();
    assertThat(latency.inFlight()).isEqualTo(1);
    elsewhere.ignored();
  }

  @Test
  void aRefusedHeadRequestGetsTheHeadersWithoutTheBody() {
    connection();
    overBudget();
    send("HEAD /get-online-features HTTP/1.1\r\nHost: x\r\n\r\n");
    String refused = written();
    assertThat(refused).startsWith("HTTP/1.1 503 ").contains("retry-after: 1\r\n").endsWith("\r\n\r\n");
    assertThat(refused).doesNotContain("overloaded");
  }

  @Test
  void withARequestInProgressTheNextOneIsJudgedAtItsTurnSoAnswersStayInOrder() {
    connection();
    send(head("POST", BODY.length()) + BODY); // admitted: it waits for a worker
    assertThat(queued).hasSize(1);
    overBudget();
    send(head("POST", BODY.length()) + BODY); // pipelined behind it, while over the budget
    assertThat(written()).as("nothing may be answered before the first request").isEmpty();
    runWorkers();
    String answers = written();
    assertThat(answers).as(answers).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(answers.indexOf("HTTP/1.1 503 ")).as("the refusal comes second: " + answers).isPositive();
    assertThat(served).hasValue(1);
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_WAIT)).isEqualTo(1);
  }

  @Test
  void aBodyOverTheLimitIsStillTooLargeRatherThanRefused() {
    connection();
    overBudget();
    send(head("POST", MAX_BODY + 1));
    assertThat(written()).startsWith("HTTP/1.1 413 ");
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_WAIT)).isZero();
  }
}
