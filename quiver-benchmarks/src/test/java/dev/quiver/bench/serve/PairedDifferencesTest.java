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

  @Test
  void unequalPairsAreRefused() {
    assertThatThrownBy(() -> PairedDifferences.of(new double[] {1}, new double[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
