package dev.quiver.core.model;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A Kafka topic: events are consumed into the online store as they arrive ({@code quiver ingest},
 * {@code quiver serve --ingest}), and its history offline is its batch twin, a file source of the
 * same name with the same timestamp columns and field mapping. A feature view over a stream source
 * is served online from the stream and trained and materialized from the twin.
 *
 * @param brokers Kafka bootstrap servers ({@code host:port,host:port}); not null
 * @param topic the topic; not null
 * @param format how record values are encoded; not null
 * @param consumerProperties Kafka consumer properties passed through unchanged (security, timeouts);
 *     never null
 * @param groupId the consumer group, or null for the default ({@link #defaultGroupId})
 * @param appendToBatch whether consumed events are also written to the twin as Parquet files named by
 *     partition and offset range
 * @param batch the batch twin; its name is this source's name; not null
 * @param avro where the Avro schemas come from: set exactly when {@code format} is {@link
 *     StreamFormat#AVRO}, else null
 */
public record StreamSource(
    String name,
    String brokers,
    String topic,
    StreamFormat format,
    Map<String, String> consumerProperties,
    String groupId,
    boolean appendToBatch,
    FileSource batch,
    AvroSettings avro)
    implements Source {
  public StreamSource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(brokers, "brokers");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(batch, "batch");
    if (!batch.name().equals(name)) {
      throw new IllegalArgumentException("the batch twin of stream source '" + name + "' must have the same name, not '"
          + batch.name() + "'");
    }
    if ((format == StreamFormat.AVRO) != (avro != null)) {
      throw new IllegalArgumentException(format == StreamFormat.AVRO
          ? "avro stream source '" + name + "' needs its schema settings (a schema registry or a schema)"
          : "stream source '" + name + "' is " + format.spelling() + ", so it takes no Avro schema settings");
    }
    consumerProperties = consumerProperties == null ? Map.of()
        : Collections.unmodifiableMap(new TreeMap<>(consumerProperties));
  }

  /** A source whose values are not Avro ({@code avro} null). */
  public StreamSource(String name, String brokers, String topic, StreamFormat format,
      Map<String, String> consumerProperties, String groupId, boolean appendToBatch, FileSource batch) {
    this(name, brokers, topic, format, consumerProperties, groupId, appendToBatch, batch, null);
  }

  @Override
  public String timestampColumn() {
    return batch.timestampColumn();
  }

  @Override
  public String createdColumn() {
    return batch.createdColumn();
  }

  @Override
  public Map<String, String> fieldMapping() {
    return batch.fieldMapping();
  }

  @Override
  public Metadata metadata() {
    return batch.metadata();
  }

  /** The consumer group to use: {@link #groupId()} when set, else {@link #defaultGroupId}. */
  public String group(String project) {
    return groupId != null ? groupId : defaultGroupId(project, name);
  }

  /** The consumer group of a stream source that names none: {@code quiver.<project>.<source>}. */
  public static String defaultGroupId(String project, String source) {
    return "quiver." + project + "." + source;
  }

  /**
   * The stream's identity in the online store's record of applied offsets ({@code kafka:topic}):
   * replays of the same partition offsets are recognised under it. The brokers are not part of it,
   * so listing other bootstrap servers of the same cluster keeps the record (a view reads one source,
   * so the topic names its stream).
   */
  public String streamId() {
    return "kafka:" + topic;
  }
}
