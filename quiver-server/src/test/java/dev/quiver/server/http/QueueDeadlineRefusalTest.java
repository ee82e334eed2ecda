package dev.quiver.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.server.FeatureServing;
import dev.quiver.server.OnlineRequest;
import dev.quiver.server.ServerMetrics;
import dev.quiver.server.ServerMetricsAccess;
import dev.quiver.server.auth.Authenticator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request refused at its queue deadline leaves the worker queue at that moment, its body freed,
 * while every worker is still busy: the queue shrinks at the deadline, not when a worker gets to the
 * stale task. On an embedded channel, whose timers run when the test says.
 */
class QueueDeadlineRefusalTest {
  private static final long TIMEOUT_MS = 300;
  private final CountDownLatch release = new CountDownLatch(1);
  private final ThreadPoolExecutor workers =
      new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(16));
  private final AtomicInteger served = new AtomicInteger();
  private final ServerMetrics metrics = ServerMetricsAccess.fresh();
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() {
    release.countDown();
    workers.shutdownNow();
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
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
    var admission = dev.quiver.server.admission.QueueAdmission.of(1, java.time.Duration.ofMillis(5), 1024);
    EmbeddedChannel channel = new EmbeddedChannel(new RequestHandler(api, Authenticator.NONE, workers, admission,
        Refusals.of(api, admission, dev.quiver.server.admission.LatencyLimit.OFF), metrics, new AtomicInteger(), TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS), new RequestDeadline(10_000_000_000L)));
    channels.add(channel);
    return channel;
  }

  private static FullHttpRequest read(int bodyBytes) {
    String json = "{\"features\": [\"v:f\"], \"entities\": {\"k\": [1]}, \"pad\": \"" + "x".repeat(bodyBytes) + "\"}";
    ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
    FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/get-online-features", body);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return r;
  }

  @Test
  void requestsRefusedAtTheirDeadlineLeaveTheQueueWithTheirBodiesFreedWhileTheWorkerIsBusy() throws Exception {
    CountDownLatch busy = new CountDownLatch(1);
    workers.execute(() -> { // the only worker is held until the test ends
      busy.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();

    List<EmbeddedChannel> connections = new ArrayList<>();
    List<FullHttpRequest> requests = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      EmbeddedChannel c = connection();
      FullHttpRequest r = read(64 * 1024);
      r.retain(); // the test's own reference, to watch the server's
      c.writeInbound(r);
      connections.add(c);
      requests.add(r);
    }
    assertThat(workers.getQueue()).hasSize(5);
    assertThat(requests).allSatisfy(r -> assertThat(r.refCnt()).as("held by the queue").isEqualTo(2));

    Thread.sleep(TIMEOUT_MS + 50); // every deadline has passed; the timers run when the channels run them
    for (int i = 0; i < connections.size(); i++) {
      EmbeddedChannel c = connections.get(i);
      c.runScheduledPendingTasks();
      assertThat(workers.getQueue()).as("after deadline %d", i).hasSize(4 - i);
      assertThat(requests.get(i).refCnt()).as("the server's reference to body %d", i).isEqualTo(1);
      FullHttpResponse refused = c.readOutbound();
      assertThat(refused.status().code()).isEqualTo(503);
      assertThat(refused.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
      assertThat(refused.content().toString(StandardCharsets.UTF_8)).contains("--queue-timeout");
      refused.release();
    }
    assertThat(metrics.shedCount(ServerMetrics.QUEUE_TIMEOUT)).isEqualTo(5);
    requests.forEach(FullHttpRequest::release);

    release.countDown(); // the worker finishes its task and finds the queue empty: no stale task runs
    workers.shutdown();
    assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(workers.getCompletedTaskCount()).as("only the task that held the worker").isEqualTo(1);
    assertThat(served).as("no refused request ever reached the service").hasValue(0);
  }
}
