package dev.quiver.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.server.ServerOptions;
import dev.quiver.server.admission.LatencyLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTP front end's latency limit from the settings: off by default and at zero, its floor and ceiling by the workers. */
class LatencyLimitSettingsTest {
  @Test
  void offByDefaultAndAtZeroOnWithATarget() {
    assertThat(ServerOptions.Admission.DEFAULTS.latencyTarget()).isEqualTo(Duration.ZERO);
    assertThat(HttpFrontEnd.latencyLimit(ServerOptions.Admission.DEFAULTS, 8).enabled()).isFalse();
    assertThat(HttpFrontEnd.latencyLimit(ServerOptions.Admission.DEFAULTS.withLatencyTarget(Duration.ofMillis(5)), 8)
        .enabled()).isTrue();
  }

  @Test
  void aTestsFewSlowRequestsNeverMoveItNorAreRefused() {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    // what a starved machine does to a test's requests: 16 at a time, each taking 50 ms, ten times the target, for
    // 10 s; a window counts only with 100 answers within its 100 ms, so at 320 answers a second none does
    LatencyLimit limit = LatencyLimit.of(Duration.ofMillis(5), 16, 128, now::get);
    for (int round = 0; round < 200; round++) {
      List<LatencyLimit.Permit> held = new ArrayList<>();
      for (int j = 0; j < 16; j++) {
        held.add(limit.acquire());
      }
      assertThat(held).as("16 requests in flight are always admitted").doesNotContainNull();
      now.addAndGet(Duration.ofMillis(50).toNanos());
      held.forEach(LatencyLimit.Permit::answered);
    }
    assertThat(limit.limit()).as("still where it started").isEqualTo(128);
  }

  @Test
  void startsAtSixteenTimesTheWorkersAnd128AtLeast() {
    ServerOptions.Admission on = ServerOptions.Admission.DEFAULTS.withLatencyTarget(Duration.ofMillis(10));
    assertThat(HttpFrontEnd.latencyLimit(on, 8).limit()).isEqualTo(128);
    assertThat(HttpFrontEnd.latencyLimit(on, 1).limit()).isEqualTo(128);
    assertThat(HttpFrontEnd.latencyLimit(on, 16).limit()).isEqualTo(256);
    assertThat(HttpFrontEnd.latencyLimit(on.withMaxQueued(10), 8).limit()).as("at most workers + queue bound").isEqualTo(18);
  }

  @Test
  void admitsUpToTheLimitThenRefuses() {
    LatencyLimit limit = HttpFrontEnd.latencyLimit(ServerOptions.Admission.DEFAULTS.withLatencyTarget(Duration.ofMillis(10)), 8);
    List<LatencyLimit.Permit> held = new ArrayList<>();
    for (int i = 0; i < 128; i++) {
      held.add(limit.acquire());
    }
    assertThat(held).doesNotContainNull();
    assertThat(limit.acquire()).isNull();
    held.forEach(LatencyLimit.Permit::ignored);
    assertThat(limit.inFlight()).isZero();
  }
}
