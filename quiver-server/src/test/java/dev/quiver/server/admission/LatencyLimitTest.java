package dev.quiver.server.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link LatencyLimit} driven by synthetic latencies on a fake clock. */
class LatencyLimitTest {
  private static final Duration TARGET = Duration.ofMillis(5);
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final LatencyLimit limit = LatencyLimit.of(TARGET, 16, 200, now::get);

  /**
   * {@code rounds} windows of {@code perWindow} admitted requests, up to {@code concurrent} of them in flight at once, each
   * answered {@code latencyMicros} after it arrived; each window lasts over the longest window time.
   */
  private void windows(int rounds, int perWindow, int concurrent, long latencyMicros) {
    for (int w = 0; w < rounds; w++) {
      for (int i = 0; i < perWindow; ) {
        List<LatencyLimit.Permit> batch = new ArrayList<>();
        for (int j = 0; j < concurrent; j++) {
          LatencyLimit.Permit p = limit.acquire();
          if (p != null) {
            batch.add(p);
          }
        }
        now.addAndGet(latencyMicros * 1_000);
        batch.forEach(LatencyLimit.Permit::answered);
        i += batch.size();
      }
      endWindow();
    }
  }

  /** Moves past the window's end; the next answer closes it (and counts in it). */
  private void endWindow() {
    now.addAndGet(Duration.ofMillis(AdaptiveLatencyLimit.MAX_WINDOW_MS + 1).toNanos());
    limit.acquire().answered();
  }

  @Test
  void startsAtTheCeilingAndRefusesPastIt() {
    assertThat(limit.limit()).isEqualTo(200);
    List<LatencyLimit.Permit> held = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      held.add(limit.acquire());
    }
    assertThat(held).doesNotContainNull();
    assertThat(limit.inFlight()).isEqualTo(200);
    assertThat(limit.acquire()).as("the 201st request in flight").isNull();
    held.get(0).ignored();
    assertThat(limit.acquire()).as("a place freed").isNotNull();
  }

  @Test
  void latencyOverTheTargetShrinksTheLimitByAFifthPerWindowDownToTheFloor() {
    windows(1, 200, 100, 8_000);
    assertThat(limit.limit()).isEqualTo(160);
    windows(1, 200, 100, 8_000);
    assertThat(limit.limit()).isEqualTo(128);
    windows(40, 200, 100, 8_000);
    assertThat(limit.limit()).isEqualTo(16);
    // the floor is always admitted
    List<LatencyLimit.Permit> held = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      held.add(limit.acquire());
    }
    assertThat(held).doesNotContainNull();
    assertThat(limit.acquire()).isNull();
  }

  @Test
  void latencyWithinTheTargetGrowsItBackOnePerWindowWhileRequestsPressOnIt() {
    windows(40, 200, 100, 8_000);
    assertThat(limit.limit()).isEqualTo(16);
    windows(5, 200, 16, 2_000); // 16 in flight: at least half the limit
    assertThat(limit.limit()).isEqualTo(21);
  }

  @Test
  void aLightLoadNeitherGrowsNorShrinksIt() {
    windows(40, 200, 100, 8_000);
    windows(5, 200, 2, 2_000); // 2 in flight: far below half the limit
    assertThat(limit.limit()).isEqualTo(16);
  }

  @Test
  void onlyTheTailDecides() {
    // 1 request in 200 over the target: the p99 is within it, so the limit does not shrink
    for (int w = 0; w < 3; w++) {
      for (int i = 0; i < 100; i++) {
        LatencyLimit.Permit a = limit.acquire();
        LatencyLimit.Permit b = limit.acquire();
        now.addAndGet(1_000_000);
        a.answered();
        if (i == 50) {
          now.addAndGet(20_000_000);
        }
        b.answered();
      }
      endWindow();
    }
    assertThat(limit.limit()).isEqualTo(200);
  }

  @Test
  void aDropShrinksItAndAnIgnoredRequestIsNoSample() {
    for (int i = 0; i < AdaptiveLatencyLimit.WINDOW_SAMPLES; i++) {
      LatencyLimit.Permit p = limit.acquire();
      now.addAndGet(1_000);
      if (i == 10) {
        p.dropped();
      } else {
        p.answered();
      }
    }
    endWindow();
    assertThat(limit.limit()).isEqualTo(160);
    for (int i = 0; i < 500; i++) {
      LatencyLimit.Permit p = limit.acquire();
      now.addAndGet(50_000_000); // slow, but never answered: says nothing
      p.ignored();
    }
    assertThat(limit.limit()).isEqualTo(160);
    assertThat(limit.inFlight()).isZero();
  }

  @Test
  void offAdmitsEverything() {
    for (int i = 0; i < 10_000; i++) {
      assertThat(LatencyLimit.OFF.acquire()).isNotNull();
    }
    assertThat(LatencyLimit.OFF.enabled()).isFalse();
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> LatencyLimit.of(Duration.ZERO, 1, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LatencyLimit.of(TARGET, 20, 10)).isInstanceOf(IllegalArgumentException.class);
  }
}
