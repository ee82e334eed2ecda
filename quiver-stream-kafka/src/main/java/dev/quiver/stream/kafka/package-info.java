/**
 * Kafka stream ingestion: {@link dev.quiver.stream.kafka.StreamIngestion} consumes the topics of
 * {@link dev.quiver.core.model.StreamSource}s (one consumer group per source) and applies each polled
 * batch, per partition, through the one online write path ({@link dev.quiver.core.online.Pusher} with
 * {@link dev.quiver.core.online.Origin.Stream}), after appending it to the source's batch twin when
 * configured; Kafka offsets are committed only once both writes succeeded. Record values are JSON
 * objects or Avro records (the Confluent wire format with a schema registry, or one fixed schema),
 * decoded by a {@code RecordDecoder}. Everything but the
 * ingestion, its options and its status is package-private.
 */
package dev.quiver.stream.kafka;
