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
 * @param snapshot the snapshot to read, or null for the table's current one. Not part of definitions:
 *     an engine pins it for one reading ({@link dev.quiver.core.offline.OfflineEngine#pinned}), and a
 *     saved dataset's reproduction pins the snapshot it read
 * @param schema the id of the table schema to read the snapshot with (the one current when it was
 *     pinned), or null for the table's current schema
 */
public record IcebergTable(String table, Map<String, String> catalog, Long snapshot, Integer schema)
    implements java.io.Serializable {
  public IcebergTable {
    Objects.requireNonNull(table, "table");
    catalog = catalog == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(catalog));
  }

  /** The table at its current snapshot. */
  public IcebergTable(String table, Map<String, String> catalog) {
    this(table, catalog, null, null);
  }

  /** This table at snapshot {@code id}, read with schema {@code schemaId} (null: the current schema). */
  public IcebergTable atSnapshot(long id, Integer schemaId) {
    return new IcebergTable(table, catalog, id, schemaId);
  }
}
