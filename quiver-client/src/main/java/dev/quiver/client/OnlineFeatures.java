package dev.quiver.client;

import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A server's answer, column-major as Feast sends it: one {@link Column} per name in {@link #names()},
 * the entity key columns first, then the features in request order.
 *
 * <p>Value types follow the protocol: over gRPC, each value has its declared type ({@code Integer} for
 * int32, {@code Float} for float32, {@code byte[]}, {@code Instant} with whole seconds, as Feast's
 * {@code unix_timestamp_val}); over HTTP, JSON's ({@code Long} for every integer, {@code Double} for
 * every float, bytes as base64 and timestamps as ISO-8601 strings). Nulls are null either way.
 *
 * @param featureViewMetadata the feature view versions the answer read, once each, when the request
 *     asked for them ({@link OnlineFeaturesRequest#withFeatureViewMetadata}); empty otherwise
 */
public record OnlineFeatures(List<String> names, List<Column> columns, List<ViewVersion> featureViewMetadata) {
  public OnlineFeatures {
    names = List.copyOf(names);
    columns = List.copyOf(columns);
    featureViewMetadata = List.copyOf(featureViewMetadata);
  }

  /** An answer without feature view metadata (the constructor before it existed). */
  public OnlineFeatures(List<String> names, List<Column> columns) {
    this(names, columns, List.of());
  }

  /**
   * A feature view version an answer read, as Feast's {@code FeatureViewMetadata} names it: on-demand
   * views are not listed, the feature views they read are.
   */
  public record ViewVersion(String name, int version) {
    /** {@code name@vN}. */
    @Override
    public String toString() {
      return name + "@v" + version;
    }
  }

  /**
   * One answered column: {@code values[i]}, {@code statuses[i]} and {@code eventTimestamps[i]} belong
   * to entity row i. Event times are the epoch for entity key columns and NOT_FOUND values.
   */
  public record Column(String name, List<Object> values, List<FieldStatus> statuses, List<Instant> eventTimestamps) {
    public Column {
      values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
      statuses = List.copyOf(statuses);
      eventTimestamps = List.copyOf(eventTimestamps);
    }
  }

  /** The number of entity rows. */
  public int rows() {
    return columns.isEmpty() ? 0 : columns.get(0).values().size();
  }

  /** The column named {@code name}; throws {@link NoSuchElementException} naming the columns there are. */
  public Column column(String name) {
    int i = names.indexOf(name);
    if (i < 0) {
      throw new NoSuchElementException("no column '" + name + "' in the answer; it has " + names);
    }
    return columns.get(i);
  }

  /** The value of column {@code name} for entity row {@code row}; null when absent. */
  public Object value(String name, int row) {
    return column(name).values().get(row);
  }

  /** The status of column {@code name} for entity row {@code row}. */
  public FieldStatus status(String name, int row) {
    return column(name).statuses().get(row);
  }
}
