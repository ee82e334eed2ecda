package dev.quiver.bench.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The paired comparison of {@link LoggingPairBenchmark}: relative differences, their median and its interval. */
class PairedDifferencesTest {

  @Test
  void eachPairIsComparedWithItsOwnControl() {
    // the controls drift by 3x between pairs; every treatment is 10% above its own control
    PairedDifferences d = PairedDifferences.of(new double[] {1.1, 3.3, 2.2, 1.65}, new double[] {1.0, 3.0, 2.0, 1.5});

    assertThat(d.median()).isCloseTo(0.10, within(1e-12));
    assertThat(d.quantile(0)).isCloseTo(0.10, within(1e-12));
    assertThat(d.quantile(1)).isCloseTo(0.10, within(1e-12));
    assertThat(d.higher()).isEqualTo(4);
    double[] ci = d.medianInterval(1);
    assertThat(ci[0]).isCloseTo(0.10, within(1e-12));
    assertThat(ci[1]).isCloseTo(0.10, within(1e-12));
  }

  @Test
  void medianAndQuartilesInterpolate() {
    PairedDifferences d = new PairedDifferences(new double[] {0.4, -0.2, 0.0, 0.2});

    assertThat(d.median()).isCloseTo(0.1, within(1e-12));
    assertThat(d.quantile(0.25)).isCloseTo(-0.05, within(1e-12));
    assertThat(d.quantile(0.75)).isCloseTo(0.25, within(1e-12));
    assertThat(d.higher()).isEqualTo(2);
  }

  @Test
  void theIntervalCoversTheMedianAndWidensWithSpread() {
    double[] narrow = new double[21];
    double[] wide = new double[21];
    for (int i = 0; i < 21; i++) {
      narrow[i] = 0.05 + 0.001 * (i - 10);
      wide[i] = 0.05 + 0.05 * (i - 10);
    }
    double[] n = new PairedDifferences(narrow).medianInterval(7);
    double[] w = new PairedDifferences(wide).medianInterval(7);

    assertThat(n[0]).isLessThanOrEqualTo(0.05);
    assertThat(n[1]).isGreaterThanOrEqualTo(0.05);
    assertThat(n[1] - n[0]).isLessThan(0.01);
    assertThat(w[1] - w[0]).isGreaterThan(0.1);
    assertThat(new PairedDifferences(wide).medianInterval(7)).as("seeded: the same interval").containsExactly(w);
    assertThat(new PairedDifferences(wide).line(7)).contains("median +5.0%", "higher in 11 of 21 pairs");
  }

  /** The sign test's interval: order statistics that give at least 95% (the range at 8 pairs, 4th..13th of 16, 6th..15th of 20). */
  @Test
  void theSignIntervalIsTheBinomialOrderStatistics() {
    assertThat(PairedDifferences.binomialBelow(16, 4)).isCloseTo(697 / 65536.0, within(1e-12));
    assertThat(new PairedDifferences(steps(8)).signInterval()).containsExactly(0.01, 0.08);
    assertThat(new PairedDifferences(steps(16)).signInterval()).containsExactly(0.04, 0.13);
    assertThat(new PairedDifferences(steps(20)).signInterval()).containsExactly(0.06, 0.15);
  }

  /** Against +10%: pairs above it counted; the verdict at most, above or undecided from the sign interval. */
  @Test
  void theVerdictAgainstTheTargetFollowsTheSignInterval() {
    double[] low = new double[16];
    double[] high = new double[16];
    for (int i = 0; i < 16; i++) {
      low[i] = i < 14 ? 0.02 : 0.5; // two outliers above +10%
      high[i] = i < 2 ? 0.0 : 0.25;
    }
    PairedDifferences l = new PairedDifferences(low);
    assertThat(l.above(0.10)).isEqualTo(2);
    assertThat(l.verdict(0.10)).isEqualTo("at most");
    assertThat(new PairedDifferences(high).verdict(0.10)).isEqualTo("above");
    assertThat(new PairedDifferences(steps(16)).verdict(0.10)).isEqualTo("undecided");
    double[] eight = {0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.11}; // 7 of 8 below +10%
    assertThat(new PairedDifferences(eight).verdict(0.10)).as("8 pairs: the interval is the range").isEqualTo("undecided");
    assertThat(l.thresholdLine(0.10)).isEqualTo("2 of 16 pairs above +10%, sign-test 95% interval of the median +2.0% .. +2.0%:"
        + " at most +10%");
  }

  /** n differences 0.01, 0.02, ..., in descending order: sorting is the interval's job. */
  private static double[] steps(int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = (n - i) / 100.0;
    }
    return d;
  }

  @Test
  void unequalPairsAreRefused() {
    assertThatThrownBy(() -> PairedDifferences.of(new double[] {1}, new double[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
