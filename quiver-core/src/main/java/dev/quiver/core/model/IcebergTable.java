package dev.quiver.core.model;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An Apache Iceberg table a source reads, as an engine that supports Iceberg (Spark) loads it.
 *
 * @param table the table identifier ({@code db.events}); not null
 * @param catalog the catalog's properties, passed to the engine unchanged ({@code type: hadoop,
 *     warehouse: ...} or {@code type: rest, uri: ...}); secret-like values are references
 *     ({@code ${ENV_VAR}}); never null
 */
public record IcebergTable(String table, Map<String, String> catalog) implements java.io.Serializable {
  public IcebergTable {
    Objects.requireNonNull(table, "table");
    catalog = catalog == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(catalog));
  }
}
