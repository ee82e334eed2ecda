package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureLogging;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM started without {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (an embedding application
 * that does not pass it) cannot export Arrow streams: the writer says so in one line and writes the
 * same log through DuckDB's appender. The tests' own JVM has the option, so this starts one without it.
 */
class FeatureLogFallbackTest {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir Path tmp;

  @Test
  void withoutTheJvmOptionTheLogIsWrittenThroughTheAppender() throws Exception {
    assertThat(FeatureLogBatches.available()).as("this JVM has the option").isTrue();
    Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), Child.class.getName(), tmp.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("arrow unavailable").contains("DuckDB's appender").doesNotContain("leaked");
    List<Map<String, Object>> rows = FeatureLogServeTest.read(tmp, "SELECT user_id, v__f, v__f__status FROM read_parquet('"
        + tmp.resolve("feature_logs") + "/s/date=2026-03-01/*.parquet', hive_partitioning = false) ORDER BY user_id");
    assertThat(rows).containsExactly(Map.of("user_id", 1L, "v__f", "one", "v__f__status", "PRESENT"),
        Map.of("user_id", 2L, "v__f", "two", "v__f__status", "PRESENT"));
  }

  /** Logs one request of two entity rows to {@code args[0]}/feature_logs. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) {
      System.out.println(FeatureLogBatches.available() ? "arrow available" : "arrow unavailable");
      Definitions defs = Definitions.builder("p")
          .service(new FeatureService("s", 1, List.of(FeatureRef.of("v:f")), null, new FeatureLogging(1.0))).build();
      RegistrySnapshot snapshot = new RegistrySnapshot(new VersionInfo(1, 1, "me", T, "m", "h1"), defs);
      OnlineRequest request = new OnlineRequest(List.of(), "s", Map.of("user_id", List.of()), false, Map.of());
      FeatureColumn column = new FeatureColumn("v__f", FeatureRef.of("v:f"), ScalarType.STRING, List.of("one", "two"),
          List.of(FeatureStatus.PRESENT, FeatureStatus.PRESENT), List.of(T, T));
      try (FeatureLog log = new FeatureLog(FeatureLogSettings.of(Map.of(), Path.of(args[0])), new SimpleMeterRegistry(),
          new FailureLog(new SimpleMeterRegistry()))) {
        log.served(snapshot, request, new OnlineResponse(Map.of("user_id", List.of(1L, 2L)), List.of(column)), T);
      }
    }
  }
}
