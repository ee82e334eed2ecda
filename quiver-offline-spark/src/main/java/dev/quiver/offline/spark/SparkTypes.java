package dev.quiver.offline.spark;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Quiver types and Spark SQL types, both ways.
 *
 * <table>
 *   <caption>Spark to Quiver (what files hold)</caption>
 *   <tr><th>Spark</th><th>Quiver</th></tr>
 *   <tr><td>int, smallint, tinyint</td><td>int32</td></tr>
 *   <tr><td>bigint</td><td>int64</td></tr>
 *   <tr><td>float</td><td>float32</td></tr>
 *   <tr><td>double, decimal(p,s)</td><td>float64</td></tr>
 *   <tr><td>boolean</td><td>bool</td></tr>
 *   <tr><td>string, char(n), varchar(n)</td><td>string</td></tr>
 *   <tr><td>binary</td><td>bytes</td></tr>
 *   <tr><td>timestamp, timestamp_ntz (read as UTC), date (midnight UTC)</td><td>timestamp</td></tr>
 *   <tr><td>array of a type above</td><td>{@code list<T>}</td></tr>
 *   <tr><td>anything else (map, struct, interval, nested arrays, ...)</td><td>none (null)</td></tr>
 * </table>
 *
 * <p>As the DuckDB engine's mapping. Columns are {@linkplain #normalize normalized} when read, so the
 * rest of the engine sees only the types of {@link #toSpark}.
 */
final class SparkTypes {
  private SparkTypes() {}

  /** The Spark type Quiver values of {@code type} are held in. */
  static DataType toSpark(ValueType type) {
    return switch (type) {
      case ScalarType s -> scalar(s);
      case ListType l -> DataTypes.createArrayType(scalar(l.element()), true);
    };
  }

  private static DataType scalar(ScalarType s) {
    return switch (s) {
      case INT32 -> DataTypes.IntegerType;
      case INT64 -> DataTypes.LongType;
      case FLOAT32 -> DataTypes.FloatType;
      case FLOAT64 -> DataTypes.DoubleType;
      case BOOL -> DataTypes.BooleanType;
      case STRING -> DataTypes.StringType;
      case BYTES -> DataTypes.BinaryType;
      case TIMESTAMP -> DataTypes.TimestampType;
    };
  }

  /** The Quiver type of a Spark type, or null when it has none (see the class comment). */
  static ValueType toQuiver(DataType type) {
    if (type instanceof ArrayType a) {
      ScalarType element = scalarOf(a.elementType());
      return element == null ? null : new ListType(element);
    }
    return scalarOf(type);
  }

  private static ScalarType scalarOf(DataType t) {
    return switch (t) {
      case IntegerType i -> ScalarType.INT32;
      case ShortType s -> ScalarType.INT32;
      case ByteType b -> ScalarType.INT32;
      case LongType l -> ScalarType.INT64;
      case FloatType f -> ScalarType.FLOAT32;
      case DoubleType d -> ScalarType.FLOAT64;
      case DecimalType d -> ScalarType.FLOAT64;
      case BooleanType b -> ScalarType.BOOL;
      case StringType s -> ScalarType.STRING;
      case BinaryType b -> ScalarType.BYTES;
      case TimestampType ts -> ScalarType.TIMESTAMP;
      case TimestampNTZType ts -> ScalarType.TIMESTAMP;
      case DateType d -> ScalarType.TIMESTAMP;
      default -> null;
    };
  }

  /**
   * {@code column} cast to the Spark type of its Quiver type when that differs from {@code type}
   * (a smallint becomes an int, a timestamp_ntz a timestamp read as UTC, ...); unchanged otherwise,
   * and when it has no Quiver type.
   */
  static Column normalize(Column column, DataType type) {
    ValueType quiver = toQuiver(type);
    if (quiver == null) {
      return column;
    }
    DataType target = toSpark(quiver);
    return sameType(type, target) ? column : column.cast(target);
  }

  /** Equal types, ignoring nullability and string collations. */
  static boolean sameType(DataType a, DataType b) {
    if (a instanceof ArrayType x && b instanceof ArrayType y) {
      return sameType(x.elementType(), y.elementType());
    }
    if (a instanceof StringType && b instanceof StringType) {
      return true;
    }
    return a.equals(b);
  }
}
