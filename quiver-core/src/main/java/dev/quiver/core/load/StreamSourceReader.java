package dev.quiver.core.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.model.AvroSettings;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.StreamFormat;
import dev.quiver.core.model.StreamSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * Reads a {@code type: kafka} source: the topic and how to consume it, the event-time columns and
 * field mapping (shared with its batch twin), and the twin itself ({@code batch: {path: ...}}).
 * Problems name the file and line of the key at fault and the fix.
 */
final class StreamSourceReader {
  static final List<String> KEYS = DefinitionReader.with(List.of("description", "owner", "tags"), "name", "type",
      "brokers", "topic", "format", "timestamp", "created", "field_mapping", "consumer", "group_id", "append_to_batch",
      "batch", "schema_registry", "schema_registry_auth", "schema");
  private static final List<String> AVRO_KEYS = List.of("schema_registry", "schema_registry_auth", "schema");
  private static final List<String> BATCH_KEYS = List.of("path", "format");

  private static final ObjectMapper JSON = new ObjectMapper();

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
            + " is not supported; use format: json (one JSON object per record) or format: avro (with"
            + " schema_registry: URL, or schema: an .avsc file)");
      }
    }
    AvroSettings avro = null;
    if (format == StreamFormat.AVRO) {
      avro = avro(m, what, name);
      if (avro == null) {
        return;
      }
    } else if (format != null) {
      for (String key : AVRO_KEYS) {
        if (m.has(key)) {
          m.problem(m.origin(key), "'" + key + "' of " + what + " is for Avro values; add format: avro, or remove it");
        }
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
    out.source(new StreamSource(name, brokers, topic, format, consumer, group, append, batch, avro));
  }

  /** The Avro settings of a {@code format: avro} source, or null after reporting what is wrong. */
  private static AvroSettings avro(YamlMap m, String what, String name) {
    String registry = m.string("schema_registry");
    String schema = m.string("schema");
    if (registry == null && schema == null) {
      m.problem(m.origin("format"), what + " is format: avro, so it needs schema_registry: URL (values in the Confluent"
          + " wire format, e.g. schema_registry: http://localhost:8081) or schema: an Avro schema (plain Avro binary"
          + " values, e.g. schema: schemas/" + name + ".avsc)");
      return null;
    }
    if (registry != null && schema != null) {
      m.problem(m.origin("schema"), what + " takes schema_registry or schema, not both: with a registry each value names"
          + " the schema it was written with; remove one");
      return null;
    }
    if (schema != null) {
      if (m.has("schema_registry_auth")) {
        m.problem(m.origin("schema_registry_auth"), "'schema_registry_auth' of " + what
            + " is for a schema registry; remove it, or give schema_registry: URL instead of schema");
        return null;
      }
      String why = schemaProblem(schema);
      if (why != null) {
        m.problem(m.origin("schema"), "schema of " + what + " " + why);
        return null;
      }
      return AvroSettings.fixed(schema.strip());
    }
    String why = urlProblem(registry.strip());
    if (why != null) {
      m.problem(m.origin("schema_registry"), "schema_registry of " + what + " " + why);
      return null;
    }
    String user = null;
    String password = null;
    if (m.has("schema_registry_auth")) {
      YamlMap a = m.map("schema_registry_auth");
      if (a == null) {
        return null;
      }
      a.allowOnly("schema_registry_auth of " + what, List.of("username", "password"));
      user = a.required("username", "schema_registry_auth of " + what + " (the basic-auth user)");
      password = a.required("password", "schema_registry_auth of " + what
          + " (a reference to the password, e.g. password: ${SCHEMA_REGISTRY_PASSWORD})");
      if (password != null && !AvroSettings.isSecretReference(password.strip())) {
        a.problem(a.origin("password"), "the password of schema_registry_auth of " + what + " must be a reference,"
            + " ${ENV_VAR} or ${file:PATH}, not the password itself (definitions are stored in the registry);"
            + " e.g. password: ${SCHEMA_REGISTRY_PASSWORD}");
        return null;
      }
      if (user == null || password == null) {
        return null;
      }
    }
    return new AvroSettings(registry.strip(), user, password == null ? null : password.strip(), null);
  }

  /** Why a schema registry URL cannot be used, or null. Never repeats the URL (it may hold a password). */
  private static String urlProblem(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "is not a URL; e.g. schema_registry: http://localhost:8081";
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
      return "must be an http:// or https:// URL, e.g. schema_registry: http://localhost:8081";
    }
    if (uri.getRawUserInfo() != null) {
      return "must not carry credentials; give them as schema_registry_auth: {username: USER, password:"
          + " ${SCHEMA_REGISTRY_PASSWORD}}";
    }
    if (uri.getHost() == null) {
      return "has no host; e.g. schema_registry: http://localhost:8081";
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return "must not have a query or fragment; give the registry's base URL, e.g. http://localhost:8081";
    }
    return null;
  }

  /** Why an inline schema is unusable (it is not a JSON object), or null; a path is checked when read. */
  private static String schemaProblem(String schema) {
    String s = schema.strip();
    if (s.isEmpty()) {
      return "is empty; give the schema's JSON or a path to an .avsc file";
    }
    if (!s.startsWith("{")) {
      return null; // a file, read when a consumer starts
    }
    try {
      JsonNode n = JSON.readTree(s);
      if (!n.isObject() || !"record".equals(n.path("type").asText())) {
        return "must be an Avro record schema: {\"type\": \"record\", \"name\": ..., \"fields\": [...]}";
      }
      return null;
    } catch (JsonProcessingException e) {
      return "is not JSON: " + e.getOriginalMessage();
    }
  }
}
