package dev.quiver.core.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.model.Timestamps;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.online.BatchTransfer.Sink;
import dev.quiver.core.quality.ResultRecorder;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.quality.ValidationException;
import dev.quiver.core.quality.ViewRules;
import dev.quiver.core.registry.RegistryStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A view's latest rows read from the offline store for materialization ({@link Materializer}): the
 * plan of the read, the check pass of a view with {@code fail} rules, and the encoded batches a run
 * writes, each row checked by the view's rules first.
 */
final class LatestRowsScan {
  private final OfflineEngine engine;
  private final Path repoRoot;
  private final RegistryStore registry;
  private final Clock clock;

  LatestRowsScan(OfflineEngine engine, Path repoRoot, RegistryStore registry, Clock clock) {
    this.engine = engine;
    this.repoRoot = repoRoot;
    this.registry = registry;
    this.clock = clock;
  }

  /**
   * The check pass of a view with {@code fail} rules: reads the latest rows once and judges them,
   * writing nothing; when a fail rule fails, records the results and throws.
   */
  void precheck(ViewRules rules, LatestRowsPlan plan) {
    LatestRowEncoder encoder = new LatestRowEncoder(plan);
    ViewRules.Run run = rules.start("materialize", slots(plan), true);
    long newest = Long.MIN_VALUE;
    long read = 0;
    try (HistoricalRows rows = engine.latestRows(plan, repoRoot)) {
      while (rows.hasNext()) {
        Object[] r = rows.next();
        newest = Math.max(newest, encoder.eventMicros(r));
        read += encoder.sourceRows(r);
        run.admit(r);
      }
    }
    List<RuleResult> results = run.finish(newest == Long.MIN_VALUE ? null : Timestamps.ofMicros(newest), clock.instant(), read);
    if (ViewRules.failed(results)) {
      ResultRecorder.record(registry, results, true);
      throw new ValidationException(plan.source().name(), plan.view(), results);
    }
  }

  /** Where a column feature's value is in a row of {@link OfflineEngine#latestRows}. */
  private static java.util.function.ToIntFunction<ColumnFeature> slots(LatestRowsPlan plan) {
    int first = plan.keys().size() + 2; // keys, event time, created time, then the features
    List<String> names = plan.features().stream().map(LatestValue::outputName).toList();
    return c -> first + names.indexOf(c.name());
  }

  /**
   * The latest row per entity, encoded; {@code newest[0]} becomes the newest event time read (micros).
   * With {@code rules}, each row is checked first and a row a {@code skip_row} rule drops is not
   * written; {@code run[0]} becomes the run's tallies.
   */
  void latestRows(LatestRowsPlan plan, Sink<OnlineStore.Entry> sink, long[] newest, ViewRules rules,
      ViewRules.Run[] run) throws InterruptedException {
    LatestRowEncoder encoder = new LatestRowEncoder(plan);
    ViewRules.Run checks = rules == null ? null : rules.start("materialize", slots(plan), true);
    run[0] = checks;
    try (HistoricalRows rows = engine.latestRows(plan, repoRoot)) {
      List<OnlineStore.Entry> batch = new ArrayList<>(Materializer.BATCH);
      long read = 0;
      while (rows.hasNext()) {
        Object[] r = rows.next();
        newest[0] = Math.max(newest[0], encoder.eventMicros(r));
        read += encoder.sourceRows(r); // LatestRowsPlan.SOURCE_ROWS: the key's rows in range
        if (checks != null && !checks.admit(r)) {
          continue; // dropped by a skip_row rule: the entity keeps what it had online
        }
        batch.add(encoder.encode(r));
        if (batch.size() == Materializer.BATCH) {
          sink.accept(batch, read);
          batch = new ArrayList<>(Materializer.BATCH);
          read = 0;
        }
      }
      if (!batch.isEmpty() || read > 0) { // rows all dropped still count as read
        sink.accept(batch, read);
      }
    }
  }

  /** The offline read for one view: its keys and column features. */
  static LatestRowsPlan plan(Definitions defs, FeatureView view, Instant start, Instant end) {
    Source s = defs.source(view.source()).orElseThrow(() ->
        new QuiverException("view " + view.qualifiedName() + " reads source '" + view.source() + "', which the registry does not define"));
    FileSource source = switch (s) {
      case FileSource f -> f;
      case StreamSource st -> st.batch();
    };
    List<KeyBinding> keys = new ArrayList<>();
    for (String e : view.entities()) {
      Entity entity = defs.entity(e).orElseThrow(() -> new QuiverException("view " + view.qualifiedName() + " uses undefined entity " + e));
      for (JoinKey k : entity.joinKeys()) {
        keys.add(new KeyBinding(k.name(), source.rawColumn(k.name()), k.type()));
      }
    }
    List<LatestValue> features = new ArrayList<>();
    for (Feature f : view.features()) {
      if (f instanceof ColumnFeature c) {
        features.add(new LatestValue(new dev.quiver.core.model.FeatureRef(view.name(), view.version(), c.name()),
            source.rawColumn(c.column()), c.name(), c.type()));
      }
    }
    return new LatestRowsPlan(view.qualifiedName(), source, keys, features, start, end);
  }
}
