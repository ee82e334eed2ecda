package dev.quiver.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.AvroSettings;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.StreamFormat;
import dev.quiver.core.model.StreamSource;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Avro record values, decoded with Apache Avro against writer schemas served over HTTP by {@link
 * SchemaRegistryStandIn} (a stand-in for a real registry: see its Javadoc), or with one fixed
 * schema: types and logical types, nullable unions, schema evolution, the wire format's errors,
 * basic auth, and the per-id cache.
 */
class AvroEventsTest {
  static final Schema V1 = new Schema.Parser().parse("""
      {"type": "record", "name": "Txn", "namespace": "test", "fields": [
        {"name": "uid", "type": "long"},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "amount", "type": ["null", "double"], "default": null},
        {"name": "qty", "type": "int"},
        {"name": "ratio", "type": "float"},
        {"name": "ok", "type": "boolean"},
        {"name": "raw", "type": "bytes"},
        {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "meta", "type": {"type": "record", "name": "Meta", "fields": [{"name": "x", "type": "int"}]}}
      ]}""");
  /** V1 plus a nullable country: a record written with V1 reads it as null. */
  static final Schema V2 = new Schema.Parser().parse(V1.toString().replace("{\"name\":\"qty\"",
      "{\"name\":\"country\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"qty\""));

  @TempDir Path repo;
  SchemaRegistryStandIn registry;
  final List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
  final Handler capture = new Handler() {
    @Override public void publish(LogRecord r) {
      logged.add(String.valueOf(r.getMessage()) + (r.getThrown() == null ? "" : " " + r.getThrown()));
    }
    @Override public void flush() {}
    @Override public void close() {}
  };

  @BeforeEach
  void start() throws Exception {
    registry = new SchemaRegistryStandIn();
    Logger.getLogger("").addHandler(capture);
  }

  @AfterEach
  void stop() {
    registry.close();
    Logger.getLogger("").removeHandler(capture);
  }

  static StreamSource source(AvroSettings avro) {
    return new StreamSource("txns", "localhost:9092", "txns", StreamFormat.AVRO, Map.of(), null, false,
        new FileSource("txns", "data/txns/*.parquet", FileFormat.PARQUET, "event_ts", null,
            Map.of("uid", "user_id", "ts", "event_ts"), Metadata.EMPTY), avro);
  }

  AvroEvents decoder(AvroSettings avro) {
    return AvroEvents.of(source(avro), List.of("user_id"), repo);
  }

  static GenericRecord txn(Schema schema, long user, Instant ts, Double amount) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("uid", user);
    r.put("ts", ts == null ? null : ts.getEpochSecond() * 1_000_000 + ts.getNano() / 1000);
    r.put("amount", amount);
    r.put("qty", 3);
    r.put("ratio", 0.5f);
    r.put("ok", true);
    r.put("raw", ByteBuffer.wrap(new byte[] {1, 2, 3}));
    r.put("kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), "B"));
    r.put("tags", List.of("a", "b"));
    GenericRecord meta = new GenericData.Record(schema.getField("meta").schema());
    meta.put("x", 1);
    r.put("meta", meta);
    return r;
  }

  @Test
  void aWireFormatRecordDecodesIntoTheRowThePushPathTakesAndItsSchemaIsFetchedOnce() throws Exception {
    int id = registry.register("txns-value", V1);
    AvroEvents events = decoder(AvroSettings.registry(registry.url()));
    Instant t = Instant.parse("2026-01-01T10:00:00.123456Z");

    RecordDecoder.Decoded d = events.decode(SchemaRegistryStandIn.wire(id, txn(V1, 7, t, 12.5)));
    for (int i = 0; i < 50; i++) {
      assertThat(events.decode(SchemaRegistryStandIn.wire(id, txn(V1, i, t, null))).refusal()).isNull();
    }

    assertThat(d.refusal()).isNull();
    assertThat(d.eventTime()).isEqualTo(t);
    assertThat(d.row()).containsEntry("user_id", 7L).containsEntry("event_ts", t).containsEntry("amount", 12.5)
        .containsEntry("qty", 3L).containsEntry("ratio", 0.5f).containsEntry("ok", true).containsEntry("kind", "B")
        .containsEntry("tags", List.of("a", "b")).doesNotContainKey("meta");
    assertThat((byte[]) d.row().get("raw")).containsExactly(1, 2, 3);
    assertThat(registry.fetches(id)).as("cached per id").isEqualTo(1);
  }

  @Test
  void aFieldAnOlderWriterSchemaLacksReadsAsNullAndEachIdIsReadWithItsOwnSchema() throws Exception {
    int v1 = registry.register("txns-value", V1);
    int v2 = registry.register("txns-value", V2);
    AvroEvents events = decoder(AvroSettings.registry(registry.url()));
    Instant t = Instant.parse("2026-01-01T10:00:00Z");
    GenericRecord newer = txn(V2, 1, t, 1.0);
    newer.put("country", "FR");

    var old = events.decode(SchemaRegistryStandIn.wire(v1, txn(V1, 1, t, 1.0)));
    var now = events.decode(SchemaRegistryStandIn.wire(v2, newer));

    assertThat(v2).isNotEqualTo(v1);
    assertThat(old.refusal()).isNull();
    assertThat(old.row().get("country")).isNull();
    assertThat(now.row()).containsEntry("country", "FR").containsEntry("qty", 3L);
  }

  @Test
  void badRecordsAreRefusedWithWhatIsWrong() throws Exception {
    int id = registry.register("txns-value", V1);
    AvroEvents events = decoder(AvroSettings.registry(registry.url()));
    Instant t = Instant.parse("2026-01-01T10:00:00Z");
    byte[] good = SchemaRegistryStandIn.wire(id, txn(V1, 1, t, 1.0));
    byte[] unknownId = good.clone();
    unknownId[4] = 99;
    byte[] cut = java.util.Arrays.copyOf(good, good.length - 6);
    byte[] longer = java.util.Arrays.copyOf(good, good.length + 3);

    assertThat(events.decode(null).refusal()).contains("tombstone");
    assertThat(events.decode("{\"uid\": 1}".getBytes()).refusal()).contains("magic byte is 0x7b, not 0", "format: json");
    assertThat(events.decode(new byte[] {0, 0, 0}).refusal()).contains("too short for the Confluent wire format");
    assertThat(events.decode(unknownId).refusal()).contains("schema id 99 is unknown to the schema registry");
    assertThat(events.decode(cut).refusal()).contains("does not decode with schema id " + id);
    assertThat(events.decode(longer).refusal()).contains("does not decode with schema id " + id, "left over");
    assertThat(events.decode(good).refusal()).isNull();
  }

  @Test
  void aMissingEventTimeOrKeyIsRefusedAsJsonRecordsAre() throws Exception {
    Schema nullable = new Schema.Parser().parse("""
        {"type": "record", "name": "T", "fields": [
          {"name": "uid", "type": ["null", "long"]}, {"name": "ts", "type": ["null", "string"]}]}""");
    int id = registry.register("t-value", nullable);
    AvroEvents events = decoder(AvroSettings.registry(registry.url()));
    GenericRecord noTime = new GenericData.Record(nullable);
    noTime.put("uid", 1L);
    GenericRecord noKey = new GenericData.Record(nullable);
    noKey.put("ts", "2026-01-01T00:00:00Z");
    GenericRecord badTime = new GenericData.Record(nullable);
    badTime.put("uid", 1L);
    badTime.put("ts", "yesterday");

    assertThat(events.decode(SchemaRegistryStandIn.wire(id, noTime)).refusal()).isEqualTo("no event time: field 'ts' is missing or null");
    assertThat(events.decode(SchemaRegistryStandIn.wire(id, noKey)).refusal()).isEqualTo("key 'uid' is missing or null");
    assertThat(events.decode(SchemaRegistryStandIn.wire(id, badTime)).refusal()).startsWith("event time 'ts' is ");
  }

  @Test
  void timestampMillisAndPlainLongEventTimesAreEpochMilliseconds() throws Exception {
    Schema millis = SchemaBuilder.record("M").fields().requiredLong("uid")
        .name("ts").type(org.apache.avro.LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
        .endRecord();
    Schema plain = SchemaBuilder.record("P").fields().requiredLong("uid").requiredLong("ts").endRecord();
    int m = registry.register("m", millis);
    int p = registry.register("p", plain);
    AvroEvents events = decoder(AvroSettings.registry(registry.url()));
    long at = Instant.parse("2026-01-01T10:00:00.123Z").toEpochMilli();
    GenericRecord a = new GenericData.Record(millis);
    a.put("uid", 1L);
    a.put("ts", at);
    GenericRecord b = new GenericData.Record(plain);
    b.put("uid", 1L);
    b.put("ts", at);

    assertThat(events.decode(SchemaRegistryStandIn.wire(m, a)).eventTime()).isEqualTo(Instant.ofEpochMilli(at));
    assertThat(events.decode(SchemaRegistryStandIn.wire(p, b)).eventTime()).isEqualTo(Instant.ofEpochMilli(at));
  }

  @Test
  void basicAuthSendsTheReferencedPasswordAndNeverShowsIt() throws Exception {
    registry.close();
    registry = new SchemaRegistryStandIn("ingest", "s3cret-pw");
    int id = registry.register("txns-value", V1);
    Files.writeString(repo.resolve("sr-password"), "s3cret-pw\n");
    Files.writeString(repo.resolve("wrong-password"), "not-it-either\n");
    byte[] value = SchemaRegistryStandIn.wire(id, txn(V1, 1, Instant.parse("2026-01-01T00:00:00Z"), 1.0));

    AvroEvents good = decoder(new AvroSettings(registry.url(), "ingest", "${file:sr-password}", null));
    AvroEvents bad = decoder(new AvroSettings(registry.url(), "ingest", "${file:wrong-password}", null));

    assertThat(good.decode(value).refusal()).isNull();
    assertThatThrownBy(() -> bad.decode(value))
        .as("refused credentials are not the record's fault: the batch is retried")
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("refused the credentials of schema_registry_auth (HTTP 401)")
        .hasMessageNotContaining("not-it-either");
    assertThatThrownBy(() -> decoder(new AvroSettings(registry.url(), "ingest", "${QUIVER_TEST_UNSET_SR_PASSWORD}", null)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("environment variable QUIVER_TEST_UNSET_SR_PASSWORD, which is not set");
    assertThat(String.join("\n", logged)).doesNotContain("s3cret-pw", "not-it-either");
  }

  @Test
  void aRegistryThatDoesNotAnswerFailsTheBatchForARetryRatherThanRefusingTheRecord() throws Exception {
    int id = registry.register("txns-value", V1);
    String url = registry.url();
    registry.close();
    AvroEvents events = decoder(AvroSettings.registry(url));

    assertThatThrownBy(() -> events.decode(SchemaRegistryStandIn.wire(id, txn(V1, 1, Instant.EPOCH, 1.0))))
        .isInstanceOf(QuiverException.class).hasMessageContaining("did not answer for schema id " + id);
  }

  @Test
  void aFixedSchemaReadsPlainAvroBinaryFromAFileOrInline() throws Exception {
    Files.createDirectories(repo.resolve("schemas"));
    Files.writeString(repo.resolve("schemas/txn.avsc"), V1.toString(true));
    Instant t = Instant.parse("2026-01-01T10:00:00Z");
    byte[] value = SchemaRegistryStandIn.avro(txn(V1, 5, t, 2.5));

    var fromFile = decoder(AvroSettings.fixed("schemas/txn.avsc")).decode(value);
    var inline = decoder(AvroSettings.fixed(V1.toString())).decode(value);

    assertThat(fromFile.refusal()).isNull();
    assertThat(fromFile.row()).containsEntry("user_id", 5L).containsEntry("amount", 2.5);
    assertThat(inline.row()).usingRecursiveComparison().isEqualTo(fromFile.row());
    assertThat(decoder(AvroSettings.fixed("schemas/txn.avsc")).decode(new byte[] {2}).refusal())
        .contains("does not decode with the source's schema");
  }

  @Test
  void aFixedSchemaThatCannotServeTheViewsIsRefusedWhenTheConsumerStarts() throws Exception {
    Schema noTime = SchemaBuilder.record("N").fields().requiredLong("uid").endRecord();

    assertThatThrownBy(() -> decoder(AvroSettings.fixed("schemas/missing.avsc")))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("cannot read the schema file schemas/missing.avsc");
    assertThatThrownBy(() -> decoder(AvroSettings.fixed(noTime.toString())))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("has no field 'ts' (the event time)");
    assertThatThrownBy(() -> decoder(AvroSettings.fixed("{\"type\": \"record\", \"name\": \"X\", \"fields\": [{\"name\": \"a\"}]}")))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("is not a valid Avro schema");
  }
}
