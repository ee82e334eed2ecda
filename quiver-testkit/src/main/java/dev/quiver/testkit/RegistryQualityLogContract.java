package dev.quiver.testkit;

import static dev.quiver.testkit.RegistryFixtures.T0;
import static dev.quiver.testkit.RegistryFixtures.THREADS;
import static dev.quiver.testkit.RegistryFixtures.time;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Data-quality records in the registry: validation rules of every kind kept with their view
 * (docs/validation.md), and the validation and skew logs (docs/monitoring.md, "Skew"): results read
 * back exactly from another instance, filtered by time, view or service and limit; racing appends
 * lose nothing and keep each run whole and in order.
 *
 * <p>An implementation provides {@link RegistryStoreContract#newStore()} and {@link
 * RegistryStoreContract#reopen()} over the same storage.
 */
public interface RegistryQualityLogContract extends RegistryContractPart {
  // ---- validation rules and results (docs/validation.md) -------------------------------------

  /** The sample with validation rules of every kind on {@code user_txn}. */
  private static Definitions withRules() {
    Definitions d = SampleDefinitions.sample();
    List<dev.quiver.core.model.FeatureView> views = new ArrayList<>();
    for (dev.quiver.core.model.FeatureView v : d.views()) {
      views.add(!v.name().equals("user_txn") ? v : v.withRules(List.of(
          new dev.quiver.core.model.ValidationRule.NotNull("last_country", null, dev.quiver.core.model.OnFail.FAIL),
          new dev.quiver.core.model.ValidationRule.NotNull("last_country", 0.05, dev.quiver.core.model.OnFail.WARN),
          new dev.quiver.core.model.ValidationRule.Min("last_country", new java.math.BigDecimal("-1.5"),
              dev.quiver.core.model.OnFail.WARN),
          new dev.quiver.core.model.ValidationRule.Max("last_country", new java.math.BigDecimal("1e3"),
              dev.quiver.core.model.OnFail.SKIP_ROW),
          new dev.quiver.core.model.ValidationRule.Allowed("last_country", List.of("US", "FR"),
              dev.quiver.core.model.OnFail.SKIP_ROW),
          new dev.quiver.core.model.ValidationRule.Pattern("last_country", "^[A-Z]{2}$", dev.quiver.core.model.OnFail.WARN),
          new dev.quiver.core.model.ValidationRule.Expr("last_country", "last_country <> 'XX'", dev.quiver.core.model.OnFail.FAIL),
          new dev.quiver.core.model.ValidationRule.RowCount(null, 10L, dev.quiver.core.model.OnFail.FAIL),
          new dev.quiver.core.model.ValidationRule.Freshness(java.time.Duration.ofMinutes(90),
              dev.quiver.core.model.OnFail.WARN))));
    }
    return new Definitions(d.project(), d.entities(), d.sources(), views, d.onDemandViews(), d.services(), d.permissions());
  }

  @Test
  default void validationRulesAreKeptWithTheirView() {
    Definitions rules = withRules();
    store().commit(0, rules, "ana", "rules", time(1));
    store().commit(1, SampleDefinitions.sample(), "ana", "no rules", time(2));
    assertThat(reopened().read(1).definitions()).isEqualTo(rules);
    assertThat(store().read(2).definitions()).isEqualTo(SampleDefinitions.sample());
    assertThat(RegistryCodec.contentHash(rules)).isNotEqualTo(RegistryCodec.contentHash(SampleDefinitions.sample()));
  }

  private static dev.quiver.core.quality.RuleResult result(int i, String view, String feature) {
    return new dev.quiver.core.quality.RuleResult(T0.plusSeconds(i), i % 2 == 0 ? "materialize" : "push", view, feature,
        feature == null ? "row_count" : "min", feature == null ? "1.." : "0", "skip_row", 100 + i, i,
        i == 0 ? List.of() : List.of("-" + i, "\"quoted\"\nline"),
        dev.quiver.core.quality.RuleResult.Outcome.values()[i % 4]);
  }

  @Test
  default void validationResultsReadBackExactlyAndFilter() {
    dev.quiver.core.quality.ValidationLog log = store().validationLog();
    assertThat(log.read(Instant.EPOCH, null, 100)).isEmpty();
    List<dev.quiver.core.quality.RuleResult> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      List<dev.quiver.core.quality.RuleResult> run = List.of(result(i, i < 3 ? "user_txn@v1" : "user_txn@v2", "amount"),
          result(i, "merchant@v1", null));
      log.append(run);
      all.addAll(run);
    }
    dev.quiver.core.quality.ValidationLog other = reopened().validationLog();
    assertThat(other.read(Instant.EPOCH, null, 100)).isEqualTo(all);
    assertThat(other.read(T0.plusSeconds(4), null, 100)).isEqualTo(all.subList(8, 12));
    assertThat(other.read(Instant.EPOCH, "user_txn", 100)).extracting(dev.quiver.core.quality.RuleResult::view)
        .containsOnly("user_txn@v1", "user_txn@v2").hasSize(6);
    assertThat(other.read(Instant.EPOCH, "user_txn@v2", 100)).hasSize(3);
    assertThat(other.read(Instant.EPOCH, "user", 100)).isEmpty();
    assertThat(other.read(Instant.EPOCH, null, 3)).isEqualTo(all.subList(0, 3));
    assertThatThrownBy(() -> other.read(Instant.EPOCH, null, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  default void concurrentValidationAppendsLoseNothingAndKeepEachRunWhole() throws Exception {
    store().validationLog().append(List.of(result(0, "first@v1", "a"))); // the log exists before the race
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        RegistryStore s = reopened();
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 10; i++) {
            String view = "t" + thread + "_" + i + "@v1";
            s.validationLog().append(List.of(result(1, view, "a"), result(2, view, "b"), result(3, view, null)));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<dev.quiver.core.quality.RuleResult> read = store().validationLog().read(Instant.EPOCH, null, 10_000);
    assertThat(read).hasSize(1 + THREADS * 10 * 3);
    Map<String, List<String>> byRun = new HashMap<>(); // each run whole, its results in their order
    for (dev.quiver.core.quality.RuleResult r : read.subList(1, read.size())) {
      byRun.computeIfAbsent(r.view(), v -> new ArrayList<>()).add(String.valueOf(r.feature()));
    }
    assertThat(byRun).hasSize(THREADS * 10);
    assertThat(byRun.values()).allSatisfy(features -> assertThat(features).containsExactly("a", "b", "null"));
  }

  // ---- skew results (docs/monitoring.md, "Skew") ---------------------------------------------

  private static dev.quiver.core.monitor.SkewResult skew(int i, String service, String feature) {
    return new dev.quiver.core.monitor.SkewResult(T0.plusSeconds(i), service, feature,
        i % 3 == 0 ? null : T0.minusSeconds(3600 + i), i % 2 == 0 ? null : T0.plusNanos(1_000 + i), 1_000 + i, i,
        i == 0 ? List.of() : List.of("user_id=" + i + " at " + T0 + ": served 1.5 (PRESENT), offline 2.5", "\"quoted\"\nline"));
  }

  @Test
  default void skewResultsReadBackExactlyAndFilter() {
    dev.quiver.core.monitor.SkewLog log = store().skewLog();
    assertThat(log.read(Instant.EPOCH, null, 100)).isEmpty();
    List<dev.quiver.core.monitor.SkewResult> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      List<dev.quiver.core.monitor.SkewResult> run = List.of(skew(i, i < 3 ? "fraud" : "fraud_v2", "user_txn__amount"),
          skew(i, i < 3 ? "fraud" : "fraud_v2", "risk__ratio"));
      log.append(run);
      all.addAll(run);
    }
    log.append(List.of());
    dev.quiver.core.monitor.SkewLog other = reopened().skewLog();
    assertThat(other.read(Instant.EPOCH, null, 100)).isEqualTo(all);
    assertThat(other.read(T0.plusSeconds(4), null, 100)).isEqualTo(all.subList(8, 12));
    assertThat(other.read(Instant.EPOCH, "fraud", 100)).isEqualTo(all.subList(0, 6));
    assertThat(other.read(Instant.EPOCH, "fraud_v2", 100)).isEqualTo(all.subList(6, 12));
    assertThat(other.read(Instant.EPOCH, "fra", 100)).isEmpty();
    assertThat(other.read(Instant.EPOCH, null, 3)).isEqualTo(all.subList(0, 3));
    assertThat(other.read(Instant.EPOCH, null, 0)).isEmpty();
    assertThatThrownBy(() -> other.read(Instant.EPOCH, null, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  default void concurrentSkewAppendsLoseNothingAndKeepEachRunWhole() throws Exception {
    store().skewLog().append(List.of(skew(0, "first", "a"))); // the log exists before the race
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        RegistryStore s = reopened();
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 10; i++) {
            String service = "t" + thread + "_" + i;
            s.skewLog().append(List.of(skew(1, service, "a"), skew(2, service, "b"), skew(3, service, "c")));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<dev.quiver.core.monitor.SkewResult> read = store().skewLog().read(Instant.EPOCH, null, 10_000);
    assertThat(read).hasSize(1 + THREADS * 10 * 3);
    Map<String, List<String>> byRun = new HashMap<>(); // each run whole, its results in their order
    for (dev.quiver.core.monitor.SkewResult r : read.subList(1, read.size())) {
      byRun.computeIfAbsent(r.service(), v -> new ArrayList<>()).add(r.feature());
    }
    assertThat(byRun).hasSize(THREADS * 10);
    assertThat(byRun.values()).allSatisfy(features -> assertThat(features).containsExactly("a", "b", "c"));
  }
}
