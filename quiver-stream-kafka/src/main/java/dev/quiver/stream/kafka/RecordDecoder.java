package dev.quiver.stream.kafka;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.online.StrictValues;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Turns a record value of a stream source into a row keyed by the names definitions use, with its
 * event time, or says why the record is refused (a bad record: skipped, counted and logged by the
 * caller with its partition and offset). Implementations are thread-safe. A failure that is not the
 * record's fault (a schema registry that does not answer) is thrown as a {@link
 * dev.quiver.core.QuiverException}, for the batch to be retried.
 */
sealed interface RecordDecoder permits JsonEvents, AvroEvents {

  /** A decoded record, or why it was refused (exactly one is non-null). */
  record Decoded(Map<String, Object> row, Instant eventTime, String refusal) {
    static Decoded refused(String why) {
      return new Decoded(null, null, why);
    }
  }

  Decoded decode(byte[] value);

  /**
   * The decoder of a source's format.
   *
   * @param requiredKeys the join keys every row must carry (of every online view over the source)
   * @param repoRoot where an Avro schema file and a {@code ${file:PATH}} password are read from
   * @throws dev.quiver.core.InvalidRequestException when the source's Avro schema or credentials
   *     cannot be read
   */
  static RecordDecoder of(StreamSource source, List<String> requiredKeys, Path repoRoot) {
    return switch (source.format()) {
      case JSON -> new JsonEvents(source, requiredKeys);
      case AVRO -> AvroEvents.of(source, requiredKeys, repoRoot);
    };
  }

  /**
   * The row (already keyed by definition names) with its event time, or why it is refused: no event
   * time, one that is not a time, or a missing key. A text event time with a time of day is replaced
   * by its instant (which every later step takes as the text it was parsed from, without parsing it
   * again); a date alone stays text, for the push path to refuse as it does.
   */
  static Decoded checked(StreamSource source, List<String> requiredKeys, Map<String, Object> row) {
    String ts = source.timestampColumn();
    Object t = row.get(ts);
    if (t == null) {
      return Decoded.refused("no event time: field '" + source.batch().rawColumn(ts) + "' is missing or null");
    }
    Instant eventTime;
    try {
      eventTime = (Instant) StrictValues.parse(ScalarType.TIMESTAMP, t);
    } catch (IllegalArgumentException e) {
      return Decoded.refused("event time '" + source.batch().rawColumn(ts) + "' is " + StrictValues.describe(t) + ", not "
          + e.getMessage());
    }
    for (String k : requiredKeys) {
      if (row.get(k) == null) {
        return Decoded.refused("key '" + source.batch().rawColumn(k) + "' is missing or null");
      }
    }
    if (t instanceof String text && text.length() > 10 && (text.charAt(10) == 'T' || text.charAt(10) == ' ')) {
      row.put(ts, eventTime);
    }
    return new Decoded(row, eventTime, null);
  }
}
