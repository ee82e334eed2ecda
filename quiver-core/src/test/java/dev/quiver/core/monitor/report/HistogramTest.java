package dev.quiver.core.monitor.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.monitor.DriftStatistics;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class HistogramTest {
  @RepeatedTest(20)
  void numericSharesEqualAPlainCountOverTheSameBins() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    double[] b = sample(r, 1 + r.nextInt(2000), r.nextDouble() * 10);
    double[] c = sample(r, 1 + r.nextInt(2000), r.nextDouble() * 10 + r.nextInt(3));
    int bins = 1 + r.nextInt(30);
    Histogram h = Histogram.numeric(b, c, bins);
    // the reference: the same range, rebuilt from sorted copies, each value placed by a linear scan of the edges
    double[] all = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(b), java.util.Arrays.stream(c)).toArray();
    double[] sb = b.clone();
    double[] sc = c.clone();
    java.util.Arrays.sort(sb);
    java.util.Arrays.sort(sc);
    double lo = Math.min(sb[(int) Math.floor(0.005 * (sb.length - 1))], sc[(int) Math.floor(0.005 * (sc.length - 1))]);
    double hi = Math.max(sb[(int) Math.floor(0.995 * (sb.length - 1))], sc[(int) Math.floor(0.995 * (sc.length - 1))]);
    if (!(hi > lo)) {
      lo = java.util.Arrays.stream(all).min().orElseThrow();
      hi = java.util.Arrays.stream(all).max().orElseThrow();
    }
    int n = hi > lo ? bins : 1;
    boolean log = lo > 0 && hi / lo > 100;
    double[] edges = new double[n + 1];
    for (int i = 0; i <= n; i++) {
      edges[i] = i == 0 ? lo : i == n ? hi : log ? lo * Math.pow(hi / lo, (double) i / n) : lo + i * (hi - lo) / n;
    }
    assertThat(h.labels()).as("seed " + seed).hasSize(n);
    for (double[][] side : new double[][][] {{b, h.baseline()}, {c, h.current()}}) {
      double[] expect = new double[n];
      for (double v : side[0]) {
        int i = 0;
        while (i < n - 1 && v >= edges[i + 1]) {
          i++;
        }
        expect[i] += 1.0 / side[0].length;
      }
      for (int i = 0; i < n; i++) {
        assertThat(side[1][i]).as("seed " + seed + " bin " + i).isCloseTo(expect[i], within(1e-9));
      }
      assertThat(java.util.Arrays.stream(side[1]).sum()).as("seed " + seed).isCloseTo(1.0, within(1e-9));
    }
  }

  @Test
  void extremeValuesGoToOpenEndBinsAndOneValueIsOneBin() {
    double[] b = new double[1000];
    for (int i = 0; i < b.length; i++) {
      b[i] = i % 100;
    }
    b[0] = -1e9;
    b[1] = 1e9;
    Histogram h = Histogram.numeric(b, new double[] {50}, 10);
    assertThat(h.labels()).hasSize(10);
    assertThat(h.labels().get(0)).isEqualTo("< 9.9");
    assertThat(h.labels().get(9)).isEqualTo(">= 89.1");
    assertThat(h.labels().get(1)).isEqualTo("[9.9, 19.8)");
    assertThat(h.current()[5]).isEqualTo(1.0);

    Histogram one = Histogram.numeric(new double[] {3, 3}, new double[] {3}, 10);
    assertThat(one.labels()).containsExactly("3");
    assertThat(one.baseline()).containsExactly(1.0);
    assertThat(Histogram.numeric(new double[0], new double[0], 5).labels()).isEmpty();
    assertThatThrownBy(() -> Histogram.numeric(b, b, 0)).isInstanceOf(InvalidRequestException.class).hasMessageContaining("1 to 200 bins");
  }

  @Test
  void heavyTailedPositiveValuesGetLogSpacedBins() {
    double[] v = new double[1000];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.pow(10, i / 250.0); // 1 .. 10^4, evenly spread in log
    }
    Histogram h = Histogram.numeric(v, v, 4);
    assertThat(h.labels()).hasSize(4);
    for (double share : h.baseline()) {
      assertThat(share).isCloseTo(0.25, within(0.01));
    }
    assertThat(Histogram.edges(new double[] {1, 2, 5, 1000}, new double[0], 3)).containsExactly(new double[] {1, 10, 100, 1000}, within(1e-9));
  }

  @Test
  void categoriesAreTheDriftBinsAsShares() {
    Histogram h = Histogram.categorical(DriftStatistics.categoryBins(Map.of("a", 6L, "b", 3L, "c", 1L), Map.of("a", 1L, "z", 3L), 2));
    assertThat(h.numeric()).isFalse();
    assertThat(h.labels()).containsExactly("a", "b", DriftStatistics.OTHER);
    assertThat(h.baseline()).containsExactly(0.6, 0.3, 0.1);
    assertThat(h.current()).containsExactly(0.25, 0.0, 0.75);
  }

  private static double[] sample(Random r, int n, double scale) {
    double[] v = new double[n];
    boolean amounts = r.nextBoolean(); // positive and heavy-tailed: log-spaced bins
    for (int i = 0; i < n; i++) {
      if (amounts) {
        v[i] = Math.rint(Math.exp(r.nextGaussian() * 2 + scale) * 100) / 100 + 0.01;
        continue;
      }
      v[i] = r.nextInt(4) == 0 ? Math.rint(r.nextGaussian() * scale) : r.nextGaussian() * scale * (r.nextInt(50) == 0 ? 100 : 1);
    }
    return v;
  }
}
