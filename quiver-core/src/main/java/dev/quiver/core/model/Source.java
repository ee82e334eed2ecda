package dev.quiver.core.model;

import java.util.Map;

/**
 * Where raw rows come from. Every source has an event-timestamp column and may have a
 * created-timestamp column that breaks ties between rows with the same event time.
 */
public sealed interface Source permits FileSource {
  String name();

  /** The column holding each row's event time. */
  String timestampColumn();

  /** The column holding each row's creation time, or null when the source has none. */
  String createdColumn();

  /** Renames applied to the raw columns: raw name to the name definitions use. Never null. */
  Map<String, String> fieldMapping();

  Metadata metadata();
}
