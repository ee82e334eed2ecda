package dev.quiver.offline.duckdb;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.util.Locale;

/**
 * Maps DuckDB's type spellings (as {@code DESCRIBE} prints them) to Quiver types.
 *
 * <table>
 *   <caption>DuckDB to Quiver</caption>
 *   <tr><th>DuckDB</th><th>Quiver</th></tr>
 *   <tr><td>BIGINT, HUGEINT, UINTEGER</td><td>int64</td></tr>
 *   <tr><td>INTEGER, SMALLINT, TINYINT, USMALLINT, UTINYINT</td><td>int32</td></tr>
 *   <tr><td>DOUBLE, DECIMAL(p,s)</td><td>float64</td></tr>
 *   <tr><td>FLOAT</td><td>float32</td></tr>
 *   <tr><td>BOOLEAN</td><td>bool</td></tr>
 *   <tr><td>VARCHAR</td><td>string</td></tr>
 *   <tr><td>BLOB</td><td>bytes</td></tr>
 *   <tr><td>TIMESTAMP, TIMESTAMP WITH TIME ZONE, TIMESTAMP_S/_MS/_NS, DATE</td><td>timestamp</td></tr>
 *   <tr><td>{@code T[]} and {@code T[n]} for a scalar T above</td><td>{@code list<T>}</td></tr>
 *   <tr><td>anything else (UBIGINT, UHUGEINT, TIME, INTERVAL, UUID, JSON, ENUM, STRUCT, MAP,
 *       UNION, nested lists, ...)</td><td>none (null)</td></tr>
 * </table>
 *
 * <p>Unsigned types map to the smallest signed Quiver type holding every value; UBIGINT and
 * UHUGEINT fit none, so they have no Quiver type. HUGEINT maps to int64 because DuckDB produces it
 * for sums of BIGINT: values outside the int64 range fail when read, not here.
 */
final class DuckDbTypes {

  private DuckDbTypes() {}

  /**
   * The Quiver type for a DuckDB type spelling.
   *
   * @return the type, or null when the spelling has no Quiver equivalent
   */
  static ValueType toQuiver(String duckDbType) {
    String t = duckDbType.strip().toUpperCase(Locale.ROOT);
    if (t.endsWith("]")) {
      int open = t.lastIndexOf('[');
      if (open <= 0 || !t.substring(open + 1, t.length() - 1).chars().allMatch(Character::isDigit)) {
        return null;
      }
      ScalarType element = scalar(t.substring(0, open).strip());
      return element == null ? null : new ListType(element);
    }
    return scalar(t);
  }

  private static ScalarType scalar(String t) {
    if (t.startsWith("DECIMAL") || t.startsWith("NUMERIC")) {
      return ScalarType.FLOAT64;
    }
    if (t.startsWith("TIMESTAMP")) {
      return ScalarType.TIMESTAMP; // TIMESTAMP, TIMESTAMP WITH TIME ZONE, TIMESTAMP_S, _MS, _NS
    }
    return switch (t) {
      case "BIGINT", "HUGEINT", "UINTEGER" -> ScalarType.INT64;
      case "INTEGER", "SMALLINT", "TINYINT", "USMALLINT", "UTINYINT" -> ScalarType.INT32;
      case "DOUBLE" -> ScalarType.FLOAT64;
      case "FLOAT" -> ScalarType.FLOAT32;
      case "BOOLEAN" -> ScalarType.BOOL;
      case "VARCHAR" -> ScalarType.STRING;
      case "BLOB" -> ScalarType.BYTES;
      case "DATE" -> ScalarType.TIMESTAMP;
      default -> null;
    };
  }
}
