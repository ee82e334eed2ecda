package dev.quiver.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.quiver.core.InvalidRequestException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

/** The statistics on cases small enough to check by hand, and against Commons Math and plain references. */
class DriftStatisticsTest {
  @Test
  void quantileEdgesSplitTheBaselineIntoEqualBinsAndHistogramsCountByThem() {
    double[] oneToTen = {7, 1, 10, 3, 5, 2, 9, 4, 8, 6};
    double[] edges = DriftStatistics.quantileEdges(oneToTen, 5);
    assertThat(edges).containsExactly(2, 4, 6, 8);
    assertThat(DriftStatistics.histogram(oneToTen, edges)).containsExactly(2, 2, 2, 2, 2);
    // an edge belongs to the bin below it; values past either end land in the end bins
    assertThat(DriftStatistics.histogram(new double[] {-100, 2, 2.5, 8, 8.01, 1e9}, edges)).containsExactly(2, 1, 0, 1, 2);
    // repeated values give fewer, distinct edges
    assertThat(DriftStatistics.quantileEdges(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 2, 3}, 5)).containsExactly(1);
    assertThat(oneToTen).containsExactly(7, 1, 10, 3, 5, 2, 9, 4, 8, 6); // not sorted in place
  }

  @Test
  void psiMatchesTheFormulaWorkedByHand() {
    // proportions .5/.5 against .25/.75: (.25-.5)ln(.5) + (.75-.5)ln(1.5)
    assertThat(DriftStatistics.psi(new long[] {50, 50}, new long[] {25, 75})).isCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), within(1e-12));
    assertThat(DriftStatistics.psi(new long[] {50, 50}, new long[] {25, 75})).isCloseTo(0.274653, within(1e-6));
    assertThat(DriftStatistics.psi(new long[] {3, 5, 2}, new long[] {30, 50, 20})).isZero();
    // an empty bin counts as 0.0001: (.5-1)ln(.5/1) + (.5-.0001)ln(.5/.0001)
    assertThat(DriftStatistics.psi(new long[] {100, 0}, new long[] {50, 50}))
        .isCloseTo(0.5 * Math.log(2) + 0.4999 * Math.log(5000), within(1e-12));
  }

  @Test
  void psiIsSymmetricInItsSidesAndRefusesMismatchedBins() {
    long[] a = {10, 40, 30, 20};
    long[] b = {25, 25, 25, 25};
    assertThat(DriftStatistics.psi(a, b)).isCloseTo(DriftStatistics.psi(b, a), within(1e-12)).isPositive();
    assertThatThrownBy(() -> DriftStatistics.psi(new long[] {1, 2}, new long[] {1, 2, 3}))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("2 baseline, 3 current");
    assertThatThrownBy(() -> DriftStatistics.psi(new long[] {0, 0}, new long[] {1, 2}))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at least one counted value");
  }

  @Test
  void ksMatchesHandCountsAndTheLibrary() {
    // complete separation: D = 1; of the C(6,3) = 20 orderings, 2 give D = 1, so p = 0.1
    TestResult apart = DriftStatistics.ks(new double[] {1, 2, 3}, new double[] {4, 5, 6});
    assertThat(apart.statistic()).isEqualTo(1.0);
    assertThat(apart.pValue()).isCloseTo(0.1, within(1e-12));
    // the CDFs are 1 and 0.2 at x = 4: D = 0.8
    TestResult some = DriftStatistics.ks(new double[] {1, 2, 3, 4}, new double[] {3.5, 5, 6, 7, 8});
    assertThat(some.statistic()).isCloseTo(0.8, within(1e-12));
    assertThat(some.pValue()).isCloseTo(new KolmogorovSmirnovTest().exactP(0.8, 4, 5, false), within(1e-12));
    assertThat(DriftStatistics.ks(new double[] {1, 2, 3, 4, 5}, new double[] {1, 2, 3, 4, 5}).pValue()).isEqualTo(1.0);
  }

  @Test
  void ksOnLargeSamplesUsesTheAsymptoticDistribution() {
    Random r = new Random(7);
    double[] a = r.doubles(4000).map(x -> x * 10).toArray();
    double[] b = r.doubles(3000).map(x -> x * 10 + 0.3).toArray();
    TestResult t = DriftStatistics.ks(a, b);
    assertThat(t.statistic()).isCloseTo(plainKs(a, b), within(1e-12));
    KolmogorovSmirnovTest lib = new KolmogorovSmirnovTest();
    assertThat(t.pValue()).isCloseTo(lib.approximateP(t.statistic(), a.length, b.length), within(1e-12));
  }

  @Test
  void chiSquaredMatchesTheFormulaAndTheDistribution() {
    // pooled expectation 15 in each of the four cells: 4 · 25/15
    TestResult t = DriftStatistics.chiSquared(new long[] {10, 20}, new long[] {20, 10});
    assertThat(t.statistic()).isCloseTo(20.0 / 3, within(1e-12));
    assertThat(t.pValue()).isCloseTo(1 - new ChiSquaredDistribution(1).cumulativeProbability(20.0 / 3), within(1e-9))
        .isCloseTo(0.00982, within(1e-5));
    // a bin empty on both sides is dropped (df stays 1); one bin left cannot differ
    assertThat(DriftStatistics.chiSquared(new long[] {10, 0, 20}, new long[] {20, 0, 10}).statistic()).isCloseTo(20.0 / 3, within(1e-12));
    assertThat(DriftStatistics.chiSquared(new long[] {10, 0}, new long[] {30, 0})).isEqualTo(new TestResult(0, 1));
  }

  @Test
  void categoryBinsKeepTheBaselinesTopKAndPutTheRestAndNewOnesInOther() {
    Map<String, Long> base = new LinkedHashMap<>();
    base.put("b", 30L);
    base.put("a", 50L);
    base.put("c", 15L);
    base.put("z", 5L);
    Map<String, Long> cur = Map.of("a", 40L, "b", 30L, "c", 10L, "new1", 12L, "new2", 8L);
    CategoryBins bins = DriftStatistics.categoryBins(base, cur, 2);
    assertThat(bins.labels()).containsExactly("a", "b", DriftStatistics.OTHER);
    assertThat(bins.baseline()).containsExactly(50, 30, 20);
    assertThat(bins.current()).containsExactly(40, 30, 30);
    assertThat(bins.unseen()).containsExactly("new1", "new2");
    CategoryBins all = DriftStatistics.categoryBins(base, Map.of("a", 1L), 10);
    assertThat(all.labels()).containsExactly("a", "b", "c", "z"); // no empty other bin
    assertThat(all.current()).containsExactly(1, 0, 0, 0);
  }

  @Test
  void histogramAndPsiAgreeWithPlainReferencesOnRandomData() {
    for (long seed = 1; seed <= 30; seed++) {
      Random r = new Random(seed);
      int bins = 2 + r.nextInt(15);
      double[] base = r.doubles(1 + r.nextInt(500)).map(x -> Math.floor(x * (1 + r.nextInt(40)))).toArray();
      double[] cur = r.doubles(1 + r.nextInt(500)).map(x -> Math.floor(x * 50) - 5).toArray();
      double[] edges = DriftStatistics.quantileEdges(base, bins);
      long[] hb = DriftStatistics.histogram(base, edges);
      long[] hc = DriftStatistics.histogram(cur, edges);
      assertThat(hb).as("seed %d", seed).containsExactly(plainHistogram(base, edges));
      assertThat(hc).as("seed %d", seed).containsExactly(plainHistogram(cur, edges));
      assertThat(DriftStatistics.psi(hb, hc)).as("seed %d", seed).isCloseTo(plainPsi(hb, hc), within(1e-9));
    }
  }

  /** Bin i holds values in (edges[i-1], edges[i]], scanned one edge at a time. */
  private static long[] plainHistogram(double[] values, double[] edges) {
    long[] counts = new long[edges.length + 1];
    for (double v : values) {
      int bin = 0;
      while (bin < edges.length && v > edges[bin]) {
        bin++;
      }
      counts[bin]++;
    }
    return counts;
  }

  private static double plainPsi(long[] b, long[] c) {
    double nb = 0;
    double nc = 0;
    for (int i = 0; i < b.length; i++) {
      nb += b[i];
      nc += c[i];
    }
    double psi = 0;
    for (int i = 0; i < b.length; i++) {
      double pb = b[i] == 0 ? 0.0001 : b[i] / nb;
      double pc = c[i] == 0 ? 0.0001 : c[i] / nc;
      psi += (pc - pb) * Math.log(pc / pb);
    }
    return psi;
  }

  /** The largest CDF distance, evaluated at every value of either sample. */
  private static double plainKs(double[] a, double[] b) {
    double d = 0;
    for (double x : List.of(a, b).stream().flatMapToDouble(java.util.Arrays::stream).toArray()) {
      d = Math.max(d, Math.abs(cdf(a, x) - cdf(b, x)));
    }
    return d;
  }

  private static double cdf(double[] s, double x) {
    return java.util.Arrays.stream(s).filter(v -> v <= x).count() / (double) s.length;
  }
}
