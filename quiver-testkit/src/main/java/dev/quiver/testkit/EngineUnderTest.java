package dev.quiver.testkit;

import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.nio.file.Path;
import java.util.List;

/**
 * One test of the {@link OfflineEngineContract}: the engine it opened, its scratch repository, its
 * name (for failure messages) and the label counter of its hand-written query rows. {@link
 * OfflineEngineContract} makes one before each test and closes the engine after it; the parts of
 * the contract reach it through {@link OfflineContractPart#underTest()}.
 */
public final class EngineUnderTest {
  private final OfflineEngineContract contract;
  private final OfflineEngine engine;
  private final Path repo;
  private final String testName;
  private int label;

  EngineUnderTest(OfflineEngineContract contract, OfflineEngine engine, Path repo, String testName) {
    this.contract = contract;
    this.engine = engine;
    this.repo = repo;
    this.testName = testName;
  }

  /** The engine under test, open for this test only. */
  OfflineEngine engine() {
    return engine;
  }

  /** The test's scratch repository: sources, query rows and outputs go under it. */
  Path repo() {
    return repo;
  }

  /** The test method's name. */
  String testName() {
    return testName;
  }

  /** Writes a Parquet file the way the implementation's test does ({@link OfflineEngineContract#writeTable}). */
  void writeTable(Path file, List<Column> columns, List<Object[]> rows) {
    contract.writeTable(file, columns, rows);
  }

  /** The training set through the engine's Arrow batches, or null ({@link OfflineEngineContract#arrowRows}). */
  List<Object[]> arrowRows(PointInTimePlan plan) {
    return contract.arrowRows(engine, plan, repo);
  }

  /** The next label of a hand-written query row: 0, 1, 2, ... in creation order. */
  int nextLabel() {
    return label++;
  }

  void close() {
    engine.close();
  }
}
