package dev.quiver.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.TestRepos;
import dev.quiver.core.diff.Planner;
import dev.quiver.core.model.AvroSettings;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamFormat;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.validate.DefinitionValidator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka stream sources in definitions: the YAML, the twin's schema in validation, errors, the registry. */
class StreamSourceDefinitionTest {
  @TempDir Path dir;

  private static final String STREAM = """
      entities:
        - {name: user, join_keys: [user_id], type: int64}
      sources:
        - name: txn_stream
          type: kafka
          brokers: localhost:9092
          topic: transactions
          timestamp: event_ts
          created: created_ts
          field_mapping: {amt: amount}
          consumer: {security.protocol: PLAINTEXT, max.poll.records: "500"}
          append_to_batch: true
          batch: {path: data/txns/*.parquet}
      feature_views:
        - name: v
          entities: [user]
          source: txn_stream
          features: [{name: amount}]
      """;

  @Test
  void aKafkaSourceLoadsWithItsTwinSharingNameTimestampsAndMapping() {
    Definitions defs = loadAndValidate(STREAM);

    StreamSource s = (StreamSource) defs.source("txn_stream").orElseThrow();
    assertThat(s.brokers()).isEqualTo("localhost:9092");
    assertThat(s.topic()).isEqualTo("transactions");
    assertThat(s.format()).isEqualTo(StreamFormat.JSON);
    assertThat(s.appendToBatch()).isTrue();
    assertThat(s.consumerProperties()).containsEntry("max.poll.records", "500").containsEntry("security.protocol", "PLAINTEXT");
    assertThat(s.batch()).isEqualTo(new FileSource("txn_stream", "data/txns/*.parquet", FileFormat.PARQUET, "event_ts",
        "created_ts", Map.of("amt", "amount"), null));
    assertThat(s.group("payments")).isEqualTo("quiver.payments.txn_stream");
    assertThat(s.streamId()).isEqualTo("kafka:transactions");
  }

  @Test
  void theValidatorChecksViewsAgainstTheTwinsColumns() {
    String wrongColumn = STREAM.replace("features: [{name: amount}]", "features: [{name: amout}]");
    assertThatThrownBy(() -> loadAndValidate(wrongColumn))
        .isInstanceOf(DefinitionException.class)
        .hasMessageContaining("amout");
  }

  @Test
  void aMissingBatchTwinNamesTheLineAndTheFix() {
    String noBatch = STREAM.replace("    batch: {path: data/txns/*.parquet}\n", "");
    assertThatThrownBy(() -> loadAndValidate(noBatch))
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.problems().getFirst().origin().line()).isEqualTo(4);
          assertThat(e.getMessage()).contains("kafka source 'txn_stream' needs 'batch'", "batch: {path: data/txn_stream/*.parquet}");
        });
  }

  @Test
  void anUnknownKeyOrFormatIsReportedAtItsLine() {
    assertThatThrownBy(() -> loadAndValidate(STREAM.replace("    topic: transactions\n", "    topic: transactions\n    format: protobuf\n")))
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.problems().getFirst().origin().line()).isEqualTo(8);
          assertThat(e.getMessage()).contains("format 'protobuf'", "use format: json", "format: avro");
        });
    assertThatThrownBy(() -> loadAndValidate(STREAM.replace("    topic: transactions\n", "    topic: transactions\n    path: x.parquet\n")))
        .isInstanceOfSatisfying(DefinitionException.class, e -> assertThat(e.getMessage()).contains("path"));
  }

  @Test
  void aMissingTopicOrBrokersIsNamed() {
    assertThatThrownBy(() -> loadAndValidate(STREAM.replace("    topic: transactions\n", "")))
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.problems().getFirst().origin().line()).isEqualTo(4);
          assertThat(e.getMessage()).contains("needs 'topic'");
        });
  }

  @Test
  void appendingToACsvTwinIsRefused() {
    assertThatThrownBy(() -> loadAndValidate(STREAM.replace("data/txns/*.parquet", "data/txns/*.csv")))
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.problems().getFirst().origin().line()).isEqualTo(12);
          assertThat(e.getMessage()).contains("Parquet");
        });
  }

  @Test
  void theRegistryRoundTripsAStreamSourceAndPlanShowsItsChanges() {
    Definitions defs = loadAndValidate(STREAM);
    RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(1, 0, "me", Instant.parse("2026-01-01T00:00:00Z"),
        "m", RegistryCodec.contentHash(defs)), defs);

    RegistrySnapshot back = RegistryCodec.decode(RegistryCodec.encode(snapshot));

    assertThat(back).isEqualTo(snapshot);
    Source twinMoved = new StreamSource("txn_stream", "localhost:9092", "transactions2", StreamFormat.JSON, Map.of(), null,
        false, ((StreamSource) defs.source("txn_stream").orElseThrow()).batch());
    Definitions changed = new Definitions(defs.project(), defs.entities(), java.util.List.of(twinMoved), defs.views(),
        defs.onDemandViews(), defs.services());
    assertThat(Planner.plan(1, defs, changed, java.util.List.of()).changes().toString()).contains("topic", "transactions2");
  }

  @Test
  void aPlanShowsThatACredentialChangedButNotTheCredential() {
    Definitions defs = loadAndValidate(STREAM);
    StreamSource s = (StreamSource) defs.source("txn_stream").orElseThrow();
    Source withSecret = new StreamSource(s.name(), s.brokers(), s.topic(), s.format(),
        Map.of("sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"s3cret-value\";", "max.poll.records", "99"),
        s.groupId(), s.appendToBatch(), s.batch());
    Definitions changed = new Definitions(defs.project(), defs.entities(), java.util.List.of(withSecret), defs.views(),
        defs.onDemandViews(), defs.services());
    String plan = Planner.plan(1, defs, changed, java.util.List.of()).changes().toString();
    assertThat(plan).contains("consumer.sasl.jaas.config", "hidden, sha256", "99").doesNotContain("s3cret-value");
  }

  private static String avro(String settings) {
    return STREAM.replace("    topic: transactions\n", "    topic: transactions\n    format: avro\n" + settings);
  }

  @Test
  void anAvroSourceWithARegistryLoadsWithItsCredentialsAsAReference() {
    Definitions defs = loadAndValidate(avro("""
            schema_registry: http://localhost:8081/apis/ccompat/v7
            schema_registry_auth: {username: ingest, password: "${SR_PASSWORD}"}
        """));

    StreamSource s = (StreamSource) defs.source("txn_stream").orElseThrow();
    assertThat(s.format()).isEqualTo(StreamFormat.AVRO);
    assertThat(s.avro()).isEqualTo(new AvroSettings("http://localhost:8081/apis/ccompat/v7", "ingest", "${SR_PASSWORD}", null));
    assertThat(s.avro().usesRegistry()).isTrue();
  }

  @Test
  void anAvroSourceTakesAFixedSchemaInlineOrAsAFile() {
    StreamSource inline = (StreamSource) loadAndValidate(avro("""
            schema: '{"type": "record", "name": "Txn", "fields": [{"name": "user_id", "type": "long"}]}'
        """)).source("txn_stream").orElseThrow();
    StreamSource file = (StreamSource) loadAndValidate(avro("    schema: schemas/txn.avsc\n")).source("txn_stream").orElseThrow();

    assertThat(inline.avro().usesRegistry()).isFalse();
    assertThat(inline.avro().inlineSchema()).isTrue();
    assertThat(file.avro()).isEqualTo(AvroSettings.fixed("schemas/txn.avsc"));
    assertThat(file.avro().inlineSchema()).isFalse();
  }

  @Test
  void avroSettingsProblemsNameTheLineAndTheFix() {
    assertThatThrownBy(() -> loadAndValidate(avro("")))
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.problems().getFirst().origin().line()).isEqualTo(8);
          assertThat(e.getMessage()).contains("needs schema_registry: URL", "schema: schemas/txn_stream.avsc");
        });
    assertThatThrownBy(() -> loadAndValidate(avro("    schema_registry: http://r:8081\n    schema: s.avsc\n")))
        .isInstanceOfSatisfying(DefinitionException.class, e -> assertThat(e.getMessage()).contains("not both"));
    assertThatThrownBy(() -> loadAndValidate(avro("    schema_registry: ftp://r:8081\n")))
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.problems().getFirst().origin().line()).isEqualTo(9);
          assertThat(e.getMessage()).contains("http:// or https://");
        });
    assertThatThrownBy(() -> loadAndValidate(avro("    schema: '{\"type\": \"enum\"}'\n")))
        .isInstanceOfSatisfying(DefinitionException.class, e -> assertThat(e.getMessage()).contains("Avro record schema"));
    assertThatThrownBy(() -> loadAndValidate(avro("    schema: '{not json'\n")))
        .isInstanceOfSatisfying(DefinitionException.class, e -> assertThat(e.getMessage()).contains("is not JSON"));
    assertThatThrownBy(() -> loadAndValidate(STREAM.replace("    topic: transactions\n",
            "    topic: transactions\n    schema_registry: http://r:8081\n")))
        .isInstanceOfSatisfying(DefinitionException.class, e -> assertThat(e.getMessage()).contains("add format: avro"));
  }

  @Test
  void aRegistryPasswordIsNeverTakenLiterallyNorRepeated() {
    assertThatThrownBy(() -> loadAndValidate(avro("""
            schema_registry: http://localhost:8081
            schema_registry_auth: {username: ingest, password: hunter2-secret}
        """)))
        .isInstanceOfSatisfying(DefinitionException.class, e -> {
          assertThat(e.problems().getFirst().origin().line()).isEqualTo(10);
          assertThat(e.getMessage()).contains("must be a reference", "${SCHEMA_REGISTRY_PASSWORD}")
              .doesNotContain("hunter2-secret");
        });
    assertThatThrownBy(() -> loadAndValidate(avro("    schema_registry: http://ingest:hunter2-secret@localhost:8081\n")))
        .isInstanceOfSatisfying(DefinitionException.class, e ->
            assertThat(e.getMessage()).contains("must not carry credentials", "schema_registry_auth")
                .doesNotContain("hunter2-secret"));
  }

  @Test
  void theRegistryRoundTripsAvroSettingsAndJsonSourcesKeepTheirContentHash() {
    Definitions json = loadAndValidate(STREAM);
    Definitions defs = loadAndValidate(avro("""
            schema_registry: http://localhost:8081
            schema_registry_auth: {username: ingest, password: "${file:secrets/sr}"}
        """));
    RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(1, 0, "me", Instant.parse("2026-01-01T00:00:00Z"),
        "m", RegistryCodec.contentHash(defs)), defs);

    assertThat(RegistryCodec.decode(RegistryCodec.encode(snapshot))).isEqualTo(snapshot);
    assertThat(new String(RegistryCodec.encode(new RegistrySnapshot(snapshot.info(), json)), java.nio.charset.StandardCharsets.UTF_8))
        .doesNotContain("avro");
    String plan = Planner.plan(1, json, defs, java.util.List.of()).changes().toString();
    assertThat(plan).contains("format", "avro", "schema_registry", "http://localhost:8081");
  }

  private Definitions loadAndValidate(String yaml) {
    TestRepos.write(dir, Map.of("features/defs.yaml", yaml));
    LoadedRepo repo = new DefinitionLoader().load(dir);
    new DefinitionValidator(TestRepos.schemas(Map.of("data/txns/*.parquet", Map.of(
        "user_id", dev.quiver.core.model.ScalarType.INT64, "event_ts", dev.quiver.core.model.ScalarType.TIMESTAMP,
        "created_ts", dev.quiver.core.model.ScalarType.TIMESTAMP, "amt", dev.quiver.core.model.ScalarType.FLOAT64))), dir)
        .validate(repo.definitions(), repo.origins(), Set.of());
    return repo.definitions();
  }
}
