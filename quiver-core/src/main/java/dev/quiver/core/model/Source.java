package dev.quiver.core.model;

import java.util.Map;

/**
 * Where raw rows come from. Every source has an event-timestamp column and may have a
 * created-timestamp column that breaks ties between rows with the same event time.
 *
 * <p>{@link FileSource}: files read offline and materialized online. {@link StreamSource}: a Kafka
 * topic served online as it arrives, whose history offline (training sets, materialization) is its
 * batch twin, a {@link FileSource} of the same name ({@link #batch()}).
 */
public sealed interface Source permits FileSource, StreamSource {
  String name();

  /** The column holding each row's event time. */
  String timestampColumn();

  /** The column holding each row's creation time, or null when the source has none. */
  String createdColumn();

  /** Renames applied to the raw columns: raw name to the name definitions use. Never null. */
  Map<String, String> fieldMapping();

  Metadata metadata();

  /**
   * The files that hold this source's rows offline, under the source's own name: the source itself
   * for a {@link FileSource}, the batch twin for a {@link StreamSource}. Every offline path (training
   * sets, materialization, schema checks) reads this.
   */
  FileSource batch();
}
