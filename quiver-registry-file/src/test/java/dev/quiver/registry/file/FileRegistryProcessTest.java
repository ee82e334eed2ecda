package dev.quiver.registry.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file registry against real processes: writers killed mid-commit, and writers in two JVMs
 * racing on one directory. Each writer is a child JVM running {@link CommitLoop}.
 */
class FileRegistryProcessTest {
  @TempDir Path dir;

  @Test
  @Timeout(60)
  void aWriterKilledAtAnyMomentLeavesOnlyCompleteVersions() throws Exception {
    Path registry = dir.resolve("registry");
    Random random = new Random(42);
    long before = 0;
    for (int round = 0; round < 4; round++) {
      Process writer = start(registry, "killed-" + round, 0, null);
      try {
        awaitReady(writer);
        assertThat(lines(writer).readLine()).as("first version won").isNotNull();
        Thread.sleep(random.nextInt(300)); // then kill it mid-loop, likely mid-commit
      } finally {
        writer.destroyForcibly();
        writer.waitFor(10, TimeUnit.SECONDS);
      }

      long head = assertComplete(registry);
      assertThat(head).as("round %d made progress", round).isGreaterThan(before);
      before = head;
    }

    // After all the kills the registry still takes commits.
    FileRegistryStore store = new FileRegistryStore(registry);
    VersionInfo next =
        store.commit(before, dev.quiver.testkit.SampleDefinitions.sample(), "parent", "", Instant.now());
    assertThat(next.version()).isEqualTo(before + 1);
  }

  @Test
  @Timeout(60)
  void twoProcessesCommittingAtOnceNeverLoseOrOverwriteAVersion() throws Exception {
    Path registry = dir.resolve("registry");
    Path go = dir.resolve("go");
    int each = 40;
    Process a = start(registry, "process-a", each, go);
    Process b = start(registry, "process-b", each, go);
    awaitReady(a);
    awaitReady(b);
    Files.createFile(go);

    Map<String, List<Long>> won = new HashMap<>();
    won.put("process-a", finish(a));
    won.put("process-b", finish(b));

    long head = assertComplete(registry);
    List<Long> union = new ArrayList<>(won.get("process-a"));
    union.addAll(won.get("process-b"));
    assertThat(union).doesNotHaveDuplicates();
    assertThat(union).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, head).boxed().toList());
    assertThat(head).isEqualTo(2L * each);
    FileRegistryStore store = new FileRegistryStore(registry);
    for (var entry : won.entrySet()) {
      for (long v : entry.getValue()) {
        assertThat(store.read(v).info().author()).as("author of version %d", v).isEqualTo(entry.getKey());
      }
    }
  }

  /**
   * Every version from 1 to the head reads back, decodes and matches its hash (read checks), the
   * log has no gaps and each version's parent is the one before it. Returns the head.
   */
  private static long assertComplete(Path registry) {
    FileRegistryStore store = new FileRegistryStore(registry);
    long head = store.head().map(VersionInfo::version).orElse(0L);
    for (long v = 1; v <= head; v++) {
      RegistrySnapshot snapshot = store.read(v);
      assertThat(snapshot.info().version()).isEqualTo(v);
      assertThat(snapshot.info().parent()).isEqualTo(v - 1);
    }
    assertThat(store.log())
        .extracting(VersionInfo::version)
        .containsExactlyElementsOf(LongStream.iterate(head, v -> v >= 1, v -> v - 1).boxed().toList());
    return head;
  }

  private Process start(Path registry, String author, int versions, Path startSignal)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(CommitLoop.class.getName());
    command.addAll(List.of(registry.toString(), author, Integer.toString(versions)));
    if (startSignal != null) {
      command.add(startSignal.toString());
    }
    return new ProcessBuilder(command)
        .redirectError(dir.resolve(author + ".err").toFile())
        .start();
  }

  private void awaitReady(Process writer) throws IOException {
    String first = lines(writer).readLine();
    assertThat(first).as("first line of the writer; stderr: %s", stderrOf(writer)).isEqualTo("ready");
  }

  private List<Long> finish(Process writer) throws Exception {
    List<Long> won = new ArrayList<>();
    BufferedReader out = lines(writer);
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      won.add(Long.parseLong(line.strip()));
    }
    assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(writer.exitValue()).as("exit code; stderr: %s", stderrOf(writer)).isZero();
    return won;
  }

  private final Map<Process, BufferedReader> readers = new HashMap<>();

  private BufferedReader lines(Process p) {
    return readers.computeIfAbsent(
        p, k -> new BufferedReader(new InputStreamReader(k.getInputStream(), StandardCharsets.UTF_8)));
  }

  private String stderrOf(Process p) {
    try {
      p.waitFor(1, TimeUnit.SECONDS);
      for (Path f : Files.newDirectoryStream(dir, "*.err")) {
        String text = Files.readString(f);
        if (!text.isBlank()) {
          return f.getFileName() + ": " + text;
        }
      }
    } catch (IOException | InterruptedException e) {
      return "(unreadable: " + e + ")";
    }
    return "(empty)";
  }
}
