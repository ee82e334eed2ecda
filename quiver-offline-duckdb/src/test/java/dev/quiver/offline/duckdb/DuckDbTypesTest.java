package dev.quiver.offline.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ValueType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DuckDbTypesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "none",
      value = {
        "BIGINT | int64",
        "HUGEINT | int64",
        "UINTEGER | int64",
        "INTEGER | int32",
        "SMALLINT | int32",
        "TINYINT | int32",
        "USMALLINT | int32",
        "UTINYINT | int32",
        "UBIGINT | none",
        "UHUGEINT | none",
        "DOUBLE | float64",
        "DECIMAL(18,3) | float64",
        "DECIMAL(38,10) | float64",
        "FLOAT | float32",
        "BOOLEAN | bool",
        "VARCHAR | string",
        "BLOB | bytes",
        "TIMESTAMP | timestamp",
        "TIMESTAMP WITH TIME ZONE | timestamp",
        "TIMESTAMP_S | timestamp",
        "TIMESTAMP_MS | timestamp",
        "TIMESTAMP_NS | timestamp",
        "DATE | timestamp",
        "FLOAT[] | list<float32>",
        "FLOAT[768] | list<float32>",
        "BIGINT[] | list<int64>",
        "DECIMAL(10,2)[] | list<float64>",
        "TIMESTAMP WITH TIME ZONE[] | list<timestamp>",
        "VARCHAR[] | list<string>",
        "INTEGER[][] | none",
        "INTEGER[3][] | none",
        "STRUCT(a INTEGER)[] | none",
        "STRUCT(a INTEGER[]) | none",
        "MAP(VARCHAR, INTEGER) | none",
        "UUID | none",
        "JSON | none",
        "TIME | none",
        "TIME WITH TIME ZONE | none",
        "INTERVAL | none",
        "BIT | none",
        "ENUM('a', 'b') | none",
        "UNION(a INTEGER, b VARCHAR) | none",
        "varchar | string",
      })
  void mapsDuckDbSpellings(String duckDb, String quiver) {
    ValueType type = DuckDbTypes.toQuiver(duckDb);
    assertThat(type == null ? null : type.spelling()).isEqualTo(quiver);
  }
}
