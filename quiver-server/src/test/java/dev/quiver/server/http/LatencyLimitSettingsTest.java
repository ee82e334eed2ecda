package dev.quiver.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.server.ServerOptions;
import dev.quiver.server.admission.LatencyLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTP front end's latency limit from the settings: off by default, its floor and ceiling by the workers. */
class LatencyLimitSettingsTest {
  @Test
  void offByDefault() {
    assertThat(HttpFrontEnd.latencyLimit(ServerOptions.Admission.DEFAULTS, 8).enabled()).isFalse();
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
