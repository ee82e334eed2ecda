package dev.quiver.core.load;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.StreamFormat;
import dev.quiver.core.model.StreamSource;
import java.util.List;

/**
 * Reads a {@code type: kafka} source: the topic and how to consume it, the event-time columns and
 * field mapping (shared with its batch twin), and the twin itself ({@code batch: {path: ...}}).
 * Problems name the file and line of the key at fault and the fix.
 */
final class StreamSourceReader {
  static final List<String> KEYS = DefinitionReader.with(List.of("description", "owner", "tags"), "name", "type",
      "brokers", "topic", "format", "timestamp", "created", "field_mapping", "consumer", "group_id", "append_to_batch",
      "batch");
  private static final List<String> BATCH_KEYS = List.of("path", "format");

  private StreamSourceReader() {}

  static void read(YamlMap m, String name, Metadata metadata, Definitions.Builder out) {
    String what = "kafka source '" + name + "'";
    String brokers = m.required("brokers", what + " (the bootstrap servers, e.g. brokers: localhost:9092)");
    String topic = m.required("topic", what + " (the Kafka topic to consume)");
    String ts = m.required("timestamp", what + " (the event-time field of each record)");
    StreamFormat format = StreamFormat.JSON;
    if (m.has("format")) {
      format = StreamFormat.parse(m.string("format")).orElse(null);
      if (format == null) {
        m.problem(m.origin("format"), "format '" + m.string("format") + "' of " + what
            + " is not supported; use format: json (one JSON object per record)");
      }
    }
    boolean append = m.bool("append_to_batch", false);
    var consumer = m.stringMap("consumer");
    String group = m.string("group_id");
    FileSource batch = null;
    if (!m.has("batch")) {
      m.problem(m.origin(), what + " needs 'batch', the files that hold the stream's history for training sets and"
          + " materialization, e.g. batch: {path: data/" + name + "/*.parquet}");
    } else {
      YamlMap b = m.map("batch");
      if (b != null) {
        b.allowOnly("batch of " + what, BATCH_KEYS);
        String path = b.required("path", "the batch of " + what + " (a Parquet glob such as data/" + name + "/*.parquet)");
        FileFormat batchFormat = null;
        if (b.has("format")) {
          batchFormat = FileFormat.parse(b.string("format")).orElse(null);
          if (batchFormat == null) {
            b.problem(b.origin("format"), "format '" + b.string("format") + "' is not supported; use parquet or csv");
          }
        } else if (path != null) {
          batchFormat = FileFormat.fromPath(path).orElse(null);
          if (batchFormat == null) {
            b.problem(b.origin("path"), "cannot tell the format of '" + path + "' from its name; add format: parquet");
          }
        }
        if (append && batchFormat == FileFormat.CSV) {
          m.problem(m.origin("append_to_batch"), what + " appends consumed events to its batch as Parquet files; give it"
              + " a Parquet batch (path: data/" + name + "/*.parquet) or remove append_to_batch");
          batchFormat = null;
        }
        if (path != null && batchFormat != null && ts != null) {
          batch = new FileSource(name, path, batchFormat, ts, m.string("created"), m.stringMap("field_mapping"), metadata);
        }
      }
    }
    if (brokers == null || topic == null || format == null || batch == null) {
      return;
    }
    out.source(new StreamSource(name, brokers, topic, format, consumer, group, append, batch));
  }
}
