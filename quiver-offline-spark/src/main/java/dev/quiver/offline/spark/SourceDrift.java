package dev.quiver.offline.spark;

import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.offline.PointInTimePlan.PlannedFeature;
import dev.quiver.core.offline.PointInTimePlan.ViewJoin;
import java.util.function.Function;

/**
 * Refuses a source whose files no longer hold the types the registry recorded: a key column or a
 * column feature's column whose type the engine would otherwise cast silently (a string key cast to
 * a number is null, so every row would miss). Integer widths are interchangeable (int32 = int64 keys,
 * DESIGN §3), and a floating feature may read any number; anything else must match. Window-aggregate
 * columns are checked by {@link dev.quiver.core.offline.sweep.JoinSweep} against their function.
 */
final class SourceDrift {
  private SourceDrift() {}

  /**
   * @param found the Quiver type of a source column in the files as Spark reads them (null when
   *     Spark's type has no Quiver type)
   * @param spark Spark's spelling of a column's type, for the message; {@code "nothing"} when the
   *     files lack the column (reported where the column is read)
   * @throws SourceDataException naming the source, its path, the column, the type expected and the
   *     type found
   */
  static void check(PointInTimePlan plan, ViewJoin join, Function<String, ValueType> found, Function<String, String> spark) {
    for (KeyBinding k : join.keys()) {
      require(plan, join, k.sourceColumn(), "a key", k.type(), found.apply(k.sourceColumn()), spark);
    }
    for (PlannedFeature f : join.features()) {
      if (f instanceof LatestValue v && v.type() != null && v.sourceColumn() != null) {
        require(plan, join, v.sourceColumn(), "a feature", v.type(), found.apply(v.sourceColumn()), spark);
      }
    }
  }

  private static void require(PointInTimePlan plan, ViewJoin join, String column, String role, ValueType expected, ValueType got,
      Function<String, String> spark) {
    if (fits(expected, got) || spark.apply(column).equals("nothing")) { // a missing column is reported where it is read
      return;
    }
    String source = join.source().name();
    throw new SourceDataException(source, join.source().path(), "source '" + source + "' (" + join.source().path()
        + "): column '" + column + "' (" + role + " of view " + join.view() + ") should be " + expected.spelling()
        + ", as registry version " + plan.registryVersion() + " recorded, but the files hold " + (got == null
            ? spark.apply(column) : got.spelling() + (got.spelling().equals(spark.apply(column)) ? "" : " (" + spark.apply(column)
            + ")")) + "; fix the files, or change the"
        + " definitions and apply them (quiver plan shows what differs)");
  }

  static boolean fits(ValueType expected, ValueType got) {
    if (got == null) {
      return false;
    }
    if (expected.equals(got)) {
      return true;
    }
    if (expected instanceof ScalarType e && got instanceof ScalarType g) {
      return e.isIntegral() && g.isIntegral() || (e == ScalarType.FLOAT32 || e == ScalarType.FLOAT64) && g.isNumeric();
    }
    return expected instanceof ListType e && got instanceof ListType g && fits(e.element(), g.element());
  }
}
