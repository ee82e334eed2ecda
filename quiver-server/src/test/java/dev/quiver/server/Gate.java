package dev.quiver.server;

import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serving whose first call waits for {@code release} (after counting down {@code entered}); later
 * calls answer at once. Counts the calls that reached it.
 */
final class Gate implements FeatureServing {
  final CountDownLatch entered;
  private final CountDownLatch release;
  final AtomicInteger calls = new AtomicInteger();

  Gate(CountDownLatch entered, CountDownLatch release) {
    this.entered = entered;
    this.release = release;
  }

  @Override
  public OnlineResponse getOnlineFeatures(OnlineRequest request) {
    if (calls.incrementAndGet() == 1) {
      entered.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return new OnlineResponse(request.entities(), List.of(new FeatureColumn("f", null, null, List.of(1L),
        List.of(FeatureStatus.PRESENT), Collections.singletonList(null))));
  }

  @Override
  public String version() {
    return "test";
  }
}
