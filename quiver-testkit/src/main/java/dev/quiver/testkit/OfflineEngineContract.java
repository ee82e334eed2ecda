package dev.quiver.testkit;

import dev.quiver.core.QuiverException;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link OfflineEngine} must have: point-in-time-correct training sets, equal
 * cell by cell to {@link NaivePointInTime}, through both {@link OfflineEngine#rows} (streamed) and
 * {@link OfflineEngine#write} followed by {@link OfflineEngine#read} (Parquet). An engine's test
 * extends this class and says how to open the engine and how to write a Parquet file:
 *
 * <pre>{@code
 * class DuckDbOfflineEngineTest extends OfflineEngineContract {
 *   @Override protected OfflineEngine engine() { return new DuckDbEngineProvider().open(Map.of()); }
 *   @Override protected void writeTable(Path file, List<Column> columns, List<Object[]> rows) { ... }
 * }
 * }</pre>
 *
 * <p>The cases live in the parts this class implements, each a test interface that reads on its
 * own:
 *
 * <ul>
 *   <li>{@link PointInTimeContract}: the join's semantics (DESIGN §3), one edge at a time, on
 *       hand-written tables with the expected values spelled out (ties, null created times, TTL
 *       bounds, nulls, input order);
 *   <li>{@link JoinKeyContract}: keys of every type, composite keys, several views and entities;
 *   <li>{@link QueryAndOutputContract}: feature names, field mapping, query columns and query SQL,
 *       CSV output, time zones;
 *   <li>{@link RandomizedJoinContract}: seeded data dense in those edges, over one view, composite
 *       keys, several views, sources over several files, CSV, renamed columns;
 *   <li>{@link DerivedFeatureContract}: derived features and on-demand views;
 *   <li>{@link WindowAggregateContract}: window aggregates of every function;
 *   <li>{@link RequestCheckContract}: bad requests fail with a {@link QuiverException} whose message
 *       says what to fix, before any source is read.
 * </ul>
 *
 * <p>Hand-written and randomized cases alike run through {@link TrainingSetFixture}, which compares
 * every path with the reference and, on a difference, names the seed and the first differing row
 * with the source rows that compete for it ({@code -Dquiver.contract.seed=N} reruns one seed).
 * Definitions go through the real {@link DefinitionValidator} (with the written columns as the
 * schema), so the engine sees exactly what {@code apply} would record. Every case runs in well under
 * a second on an embedded engine. Each test opens one engine with {@link #engine()} and closes it.
 */
public abstract class OfflineEngineContract implements PointInTimeContract, JoinKeyContract, QueryAndOutputContract,
    RandomizedJoinContract, DerivedFeatureContract, WindowAggregateContract, RequestCheckContract {
  @TempDir Path repo;

  private EngineUnderTest underTest;

  /** A new engine; called once per test and closed after it. */
  protected abstract OfflineEngine engine();

  /**
   * Writes one Parquet file with exactly these columns, in order, with their Quiver types (the
   * engine's natural physical type for each: 32-bit int for int32, microsecond UTC timestamps, lists
   * for lists). The parent directory exists.
   *
   * @param rows values as {@link HistoricalRows} documents them ({@code Integer}, {@code Long},
   *     {@code Float}, {@code Double}, {@code Boolean}, {@code String}, {@code byte[]}, {@code
   *     Instant}, {@code List}), or null
   */
  protected abstract void writeTable(Path file, List<Column> columns, List<Object[]> rows);

  /**
   * The training set read through the engine's Arrow batches ({@link OfflineEngine#arrowRows}),
   * each cell converted to the Java value {@link HistoricalRows} documents, after checking that each
   * column has the Arrow type its Quiver type maps to; null (the default) when the engine makes no
   * Arrow batches. Engines that make them override this (the test kit has no Arrow dependency); every
   * case then compares those rows with the reference as well.
   */
  protected List<Object[]> arrowRows(OfflineEngine engine, PointInTimePlan plan, Path repoRoot) {
    return null;
  }

  @Override
  public final EngineUnderTest underTest() {
    return underTest;
  }

  @BeforeEach
  final void openEngine(TestInfo test) {
    String testName = test.getTestMethod().map(java.lang.reflect.Method::getName).orElse(test.getDisplayName());
    underTest = new EngineUnderTest(this, engine(), repo, testName);
  }

  @AfterEach
  final void closeEngine() {
    if (underTest != null) {
      underTest.close();
    }
  }
}
