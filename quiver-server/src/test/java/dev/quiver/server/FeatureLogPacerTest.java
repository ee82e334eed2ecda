package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The roll's pacer: a pause once a burst has used its budget, as long as the burst up to the bound; bursts measured. */
class FeatureLogPacerTest {

  private static void spin(long cpuNanos) {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long end = mx.getCurrentThreadCpuTime() + cpuNanos;
    while (mx.getCurrentThreadCpuTime() < end) {
      Thread.onSpinWait();
    }
  }

  @Test
  void pausesAfterEachBudgetOfCpuAndMeasuresTheLongestBurst() {
    long ms = TimeUnit.MILLISECONDS.toNanos(1);
    FeatureLogPacer pacer = new FeatureLogPacer(2 * ms, 3 * ms);
    pacer.start();
    pacer.between(); // no CPU used yet: no pause
    assertThat(pacer.pauses()).isZero();
    spin(3 * ms);
    long before = System.nanoTime();
    pacer.between();
    long paused = System.nanoTime() - before;
    assertThat(pacer.pauses()).isEqualTo(1);
    assertThat(paused).as("a pause as long as the burst, at most the bound").isGreaterThanOrEqualTo(2 * ms);
    spin(8 * ms);
    pacer.between();
    spin(ms / 2);
    pacer.finish();
    assertThat(pacer.pauses()).isEqualTo(2);
    assertThat(pacer.longestBurstNanos()).isBetween(8 * ms, 40 * ms);
    assertThat(pacer.cpuNanos()).isGreaterThanOrEqualTo(11 * ms);
  }

  @Test
  void aPacerWithoutBudgetOnlyMeasures() {
    FeatureLogPacer pacer = FeatureLogPacer.none();
    pacer.start();
    spin(TimeUnit.MILLISECONDS.toNanos(4));
    pacer.between();
    pacer.finish();
    assertThat(pacer.pauses()).isZero();
    assertThat(pacer.longestBurstNanos()).isEqualTo(pacer.cpuNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(4));
  }

  @Test
  void aNegativeBudgetIsRefused() {
    assertThatThrownBy(() -> new FeatureLogPacer(-1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
