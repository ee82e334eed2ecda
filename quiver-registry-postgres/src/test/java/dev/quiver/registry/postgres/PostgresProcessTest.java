package dev.quiver.registry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.testkit.LocalPostgres;
import dev.quiver.testkit.SampleDefinitions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several processes — separate JVMs, each with its own connection pool, running {@link
 * PostgresWorker} — write to one PostgreSQL registry at once: applies, audit appends and token
 * creates. Nothing is lost, duplicated or mixed, and every writer that lost a race was told to plan
 * again (issue 20's proof).
 */
class PostgresProcessTest {
  private static final List<String> WRITERS = List.of("alpha", "bravo", "charlie");
  private static LocalPostgres pg;

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  static void startPostgres() {
    pg = LocalPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @AfterEach
  void stopWriters() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(120)
  void processesApplyingAtOnceLandVersionsOneToTotalIntactAndLosersReplan() throws Exception {
    String schema = pg.newSchema();
    int each = 25;
    Map<String, List<String>> out = run("commit", schema, each);

    Map<Long, String> authorOf = new HashMap<>();
    Map<Long, Integer> seedOf = new HashMap<>();
    List<String> losses = new ArrayList<>();
    for (var e : out.entrySet()) {
      for (String line : e.getValue()) {
        String[] f = line.split(" ", 3);
        if (f[0].equals("won")) {
          long v = Long.parseLong(f[1]);
          assertThat(authorOf.put(v, e.getKey())).as("version %d won twice", v).isNull();
          seedOf.put(v, Integer.parseInt(f[2]));
        } else {
          assertThat(f[0]).as("line of %s", e.getKey()).isEqualTo("lost");
          losses.add(line.substring("lost ".length()));
        }
      }
    }
    long total = (long) WRITERS.size() * each;
    assertThat(authorOf.keySet()).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    assertThat(losses).as("races were lost (the processes raced)").isNotEmpty();
    assertThat(losses).allSatisfy(m -> assertThat(m).endsWith("; run plan again").contains("registry version"));

    try (RegistryStore store = open(schema)) {
      assertThat(store.log()).extracting(VersionInfo::version)
          .containsExactlyElementsOf(LongStream.iterate(total, v -> v >= 1, v -> v - 1).boxed().toList());
      for (long v = 1; v <= total; v++) {
        RegistrySnapshot s = store.read(v);
        assertThat(s.info().parent()).isEqualTo(v - 1);
        assertThat(s.info().author()).as("author of %d", v).isEqualTo(authorOf.get(v));
        assertThat(s.definitions()).as("content of %d", v).isEqualTo(SampleDefinitions.sample(seedOf.get(v)));
        assertThat(s.info().contentHash()).isEqualTo(RegistryCodec.contentHash(s.definitions()));
      }
    }
  }

  @Test
  @Timeout(120)
  void processesAppendingAuditEventsAtOnceLoseNothing() throws Exception {
    String schema = pg.newSchema();
    int each = 150;
    Map<String, List<String>> out = run("audit", schema, each);
    assertThat(out.values()).allSatisfy(lines -> assertThat(lines).isEmpty());

    try (RegistryStore store = open(schema)) {
      List<AuditEvent> all = store.audit().read(Instant.EPOCH, Integer.MAX_VALUE);
      assertThat(all).hasSize(WRITERS.size() * each);
      for (String name : WRITERS) {
        List<String> mine = all.stream().filter(e -> e.client().equals(name)).map(AuditEvent::principal).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < each; i++) {
          expected.add(name + "-" + i);
        }
        assertThat(mine).as("%s's events, in its order", name).containsExactlyElementsOf(expected);
      }
    }
  }

  @Test
  @Timeout(120)
  void processesCreatingTokensAtOnceKeepEachAndOneWinnerPerId() throws Exception {
    String schema = pg.newSchema();
    int each = 40;
    Map<String, List<String>> out = run("tokens", schema, each);

    Map<Integer, String> sharedWinner = new HashMap<>();
    int refused = 0;
    for (var e : out.entrySet()) {
      for (String line : e.getValue()) {
        String[] f = line.split(" ", 4);
        int i = Integer.parseInt(f[1]);
        if (f[2].equals("won")) {
          assertThat(sharedWinner.put(i, e.getKey())).as("shared%d created twice", i).isNull();
        } else {
          assertThat(f[2]).isEqualTo("refused");
          assertThat(f[3]).isEqualTo("an API token with id shared" + i + " exists already; create another");
          refused++;
        }
      }
    }
    assertThat(sharedWinner).hasSize(each);
    assertThat(refused).isEqualTo((WRITERS.size() - 1) * each);

    try (RegistryStore store = open(schema)) {
      List<ApiToken> tokens = store.tokens().list();
      assertThat(tokens).hasSize((WRITERS.size() + 1) * each);
      for (ApiToken t : tokens) {
        assertThat(t.hash()).as("hash of %s", t.id()).isEqualTo(PostgresWorker.hash(t.id()));
        String owner = t.id().startsWith("shared")
            ? sharedWinner.get(Integer.parseInt(t.id().substring("shared".length())))
            : t.id().replaceFirst("[0-9]+$", "");
        assertThat(t.name()).as("owner of %s", t.id()).isEqualTo(owner);
      }
    }
  }

  /** Starts one worker per writer, lets them go at once, and returns each one's output lines. */
  private Map<String, List<String>> run(String mode, String schema, int each) throws Exception {
    Path go = dir.resolve("go");
    Map<String, BufferedReader> outs = new LinkedHashMap<>();
    for (String name : WRITERS) {
      List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          PostgresWorker.class.getName(), mode, pg.url(), schema, name, Integer.toString(each), go.toString());
      Process p = new ProcessBuilder(command).redirectError(dir.resolve(name + ".err").toFile()).start();
      started.add(p);
      outs.put(name, new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
    }
    for (var e : outs.entrySet()) {
      assertThat(e.getValue().readLine()).as("%s started; stderr: %s", e.getKey(), stderr(e.getKey())).isEqualTo("ready");
    }
    Files.createFile(go);
    Map<String, List<String>> lines = new LinkedHashMap<>();
    for (var e : outs.entrySet()) {
      List<String> mine = new ArrayList<>();
      for (String line = e.getValue().readLine(); line != null && !line.equals("done"); line = e.getValue().readLine()) {
        mine.add(line);
      }
      lines.put(e.getKey(), mine);
    }
    for (int i = 0; i < started.size(); i++) {
      Process p = started.get(i);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("exit of %s; stderr: %s", WRITERS.get(i), stderr(WRITERS.get(i))).isZero();
    }
    return lines;
  }

  private String stderr(String name) throws IOException {
    return Files.readString(dir.resolve(name + ".err"));
  }

  private static RegistryStore open(String schema) {
    return new PostgresRegistryProvider().open(pg.registryOptions(schema), Path.of("."));
  }
}
