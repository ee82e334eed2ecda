package dev.quiver.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.DefinitionException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ${ENV_VAR}} and {@code ${file:PATH}} in quiver.yaml: resolved, escaped, refused with file and line, redacted. */
class SecretsInConfigTest {
  private static final Map<String, String> ENV =
      Map.of("PGPASSWORD", "s3cret-from-env-81", "PGHOST", "db.example.com", "EMPTY", "");

  @TempDir Path repo;

  private RepoConfig load(String yaml) throws Exception {
    Files.writeString(repo.resolve("quiver.yaml"), yaml);
    return new DefinitionLoader(ENV::get).loadConfig(repo);
  }

  @Test
  void environmentVariablesAndFilesAreSubstitutedAnywhereInASectionValue() throws Exception {
    Files.createDirectories(repo.resolve("secrets"));
    Files.writeString(repo.resolve("secrets/redis.txt"), "redis-pass-from-file-93\n\n");
    RepoConfig config = load("""
        project: p
        registry:
          type: postgres
          url: jdbc:postgresql://${PGHOST}:5432/features
          password: ${PGPASSWORD}
        online: {type: redis, url: "redis://:${file:secrets/redis.txt}@cache:6379", key_prefix: "$${literal}"}
        server: {note: "${EMPTY}x"}
        """);

    assertThat(config.registry()).containsEntry("url", "jdbc:postgresql://db.example.com:5432/features")
        .containsEntry("password", "s3cret-from-env-81");
    assertThat(config.online()).containsEntry("url", "redis://:redis-pass-from-file-93@cache:6379")
        .containsEntry("key_prefix", "${literal}");
    assertThat(config.server()).containsEntry("note", "x");
  }

  @Test
  void offlineConfIsAMapOfSettingsWithSecretsResolvedAndRedacted() throws Exception {
    Files.createDirectories(repo.resolve("secrets"));
    Files.writeString(repo.resolve("secrets/s3.txt"), "s3-key-from-file-57\n");
    RepoConfig config = load("""
        project: p
        offline:
          engine: spark
          master: "spark://${PGHOST}:7077"
          conf:
            spark.hadoop.fs.s3a.secret.key: ${file:secrets/s3.txt}
            spark.hadoop.fs.s3a.access.key: "${PGPASSWORD}"
            spark.executor.memory: 4g
            spark.sql.shuffle.partitions: 8
        """);
    assertThat(config.offline()).containsEntry("master", "spark://db.example.com:7077");
    assertThat(config.offline().get("conf")).isEqualTo(Map.of("spark.hadoop.fs.s3a.secret.key", "s3-key-from-file-57",
        "spark.hadoop.fs.s3a.access.key", "s3cret-from-env-81", "spark.executor.memory", "4g", "spark.sql.shuffle.partitions", "8"));
    assertThat(config.toString()).doesNotContain("s3-key-from-file-57").doesNotContain("s3cret-from-env-81").contains("4g");
    assertThat(Secrets.redact("spark refused s3-key-from-file-57")).isEqualTo("spark refused ***");

    assertThatThrownBy(() -> load("""
        project: p
        offline:
          engine: spark
          conf:
            spark.a: ${NOT_SET_ANYWHERE}
            spark.b: {nested: map}
        """)).isInstanceOf(DefinitionException.class)
        .hasMessageContaining("quiver.yaml:5: offline.conf.spark.a refers to the environment variable NOT_SET_ANYWHERE")
        .hasMessageContaining("quiver.yaml:6: 'spark.b' must be a single value, not a mapping");
  }

  @Test
  void anUnsetVariableOrMissingFileIsADefinitionErrorWithFileLineAndName() throws Exception {
    assertThatThrownBy(() -> load("""
        project: p
        registry:
          type: postgres
          password: ${NOT_SET_ANYWHERE}
        online:
          url: ${file:secrets/missing.txt}
          other: "${bad-name}"
        """))
        .isInstanceOf(DefinitionException.class)
        .hasMessageContaining("quiver.yaml:4: registry.password refers to the environment variable NOT_SET_ANYWHERE,"
            + " which is not set; set it (export NOT_SET_ANYWHERE=...) before running quiver")
        .hasMessageContaining("quiver.yaml:6: online.url refers to the file secrets/missing.txt, which does not exist")
        .hasMessageContaining("quiver.yaml:7: online.other: '${bad-name}' is not a secret reference;");
  }

  @Test
  void secretValuesAreRedactedFromConfigTextMessagesAndLogLines() throws Exception {
    RepoConfig config = load("""
        project: p
        registry: {type: postgres, url: "jdbc:postgresql://h/db", password: "${PGPASSWORD}"}
        offline: {engine: duckdb}
        """);

    assertThat(config.toString()).doesNotContain("s3cret-from-env-81").contains("password=" + Secrets.MASK)
        .contains("jdbc:postgresql://h/db");
    assertThat(Secrets.redact("login failed with s3cret-from-env-81 for x"))
        .isEqualTo("login failed with *** for x");
    assertThat(Secrets.redact(null)).isNull();

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StreamHandler handler = new StreamHandler(bytes, new SimpleFormatter());
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    root.addHandler(handler);
    try {
      Secrets.redactLogs();
      handler.publish(new LogRecord(Level.WARNING, "connecting with s3cret-from-env-81"));
      handler.flush();
    } finally {
      root.removeHandler(handler);
    }
    assertThat(bytes.toString()).contains("connecting with ***").doesNotContain("s3cret");
  }

  @Test
  void aValueWithoutReferencesIsKeptAsWritten() throws Exception {
    RepoConfig config = load("project: p\nonline: {path: \"a$b{c}\", other: \"$\"}\n");
    assertThat(config.online()).containsEntry("path", "a$b{c}").containsEntry("other", "$");
  }
}
