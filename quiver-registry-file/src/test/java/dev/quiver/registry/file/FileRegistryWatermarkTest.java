package dev.quiver.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.Watermark;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file registry's watermarks beyond the contract: the files they are kept in, damage, and
 * processes advancing one view at once or killed while advancing (each a child JVM running {@link
 * AdvanceLoop}).
 */
class FileRegistryWatermarkTest {
  private static final String VIEW = "user_txn@v2";

  @TempDir Path dir;

  private Path registry() {
    return dir.resolve("registry");
  }

  private static Watermark at(String view, long endSeconds) {
    return new Watermark(view, AdvanceLoop.BASE.plusSeconds(endSeconds), 3, "ana", AdvanceLoop.BASE);
  }

  // ---- files ------------------------------------------------------------------------------------

  @Test
  void aWatermarkIsOneFileNamedAfterTheViewHoldingItsCodecBytes() throws IOException {
    FileRegistryStore store = new FileRegistryStore(registry());
    Watermark w = at(VIEW, 60);

    store.advanceWatermark(w);
    store.advanceWatermark(at(VIEW, 120));
    Watermark latest = store.advanceWatermark(at(VIEW, 180));

    Path file = registry().resolve("watermarks").resolve("user_txn@v2.json");
    assertThat(store.watermarkFile(VIEW)).isEqualTo(file);
    assertThat(Files.readAllBytes(file)).isEqualTo(RegistryCodec.encodeWatermark(latest));
    try (Stream<Path> entries = Files.list(file.getParent())) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("user_txn@v2.json", ".lock");
    }
  }

  @Test
  void orphanedTemporaryFilesAreIgnoredAndRemovedByTheNextAdvance() throws IOException {
    FileRegistryStore store = new FileRegistryStore(registry());
    Watermark w = store.advanceWatermark(at(VIEW, 60));
    Path orphan = store.watermarkFile(VIEW).resolveSibling(".user_txn@v2.json.1234.tmp");
    Files.writeString(orphan, "{ half a wat");
    Path unrelated = store.watermarkFile(VIEW).resolveSibling("README.txt");
    Files.writeString(unrelated, "notes");

    assertThat(store.watermarks()).containsExactly(w);
    store.advanceWatermark(at("merchant@v1", 1));

    assertThat(orphan).doesNotExist();
    assertThat(unrelated).exists();
    assertThat(store.watermarks()).extracting(Watermark::view).containsExactly("merchant@v1", VIEW);
  }

  @Test
  void aDamagedWatermarkIsReportedAndNeverOverwritten() throws IOException {
    FileRegistryStore store = new FileRegistryStore(registry());
    store.advanceWatermark(at(VIEW, 60));
    Path file = store.watermarkFile(VIEW);
    Files.writeString(file, "{ \"format\" : 1, \"kind\" : \"watermark\"");

    assertThatThrownBy(() -> store.watermark(VIEW))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("the watermark of view user_txn@v2 is damaged")
        .hasMessageContaining(file.toString())
        .hasMessageContaining("restore");
    assertThatThrownBy(() -> store.advanceWatermark(at(VIEW, 120)))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("damaged");
    assertThatThrownBy(store::watermarks).isInstanceOf(QuiverException.class).hasMessageContaining("damaged");
    assertThat(Files.readString(file)).isEqualTo("{ \"format\" : 1, \"kind\" : \"watermark\"");
  }

  @Test
  void aFileRecordingAnotherViewIsDamaged() throws IOException {
    FileRegistryStore store = new FileRegistryStore(registry());
    store.advanceWatermark(at("merchant@v1", 60));
    Files.copy(store.watermarkFile("merchant@v1"), store.watermarkFile(VIEW));

    assertThatThrownBy(() -> store.watermark(VIEW))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("it records view merchant@v1");
  }

  /** What a case-insensitive file system does when views differ only in case, imitated. */
  @Test
  void viewsDifferingOnlyInCaseAreRefusedNeverMixedUp() throws IOException {
    FileRegistryStore store = new FileRegistryStore(registry());
    Watermark upper = store.advanceWatermark(at("User_Txn@v2", 60));
    Files.move(store.watermarkFile("User_Txn@v2"), store.watermarkFile(VIEW));

    assertThat(store.watermark(VIEW)).isEmpty();
    assertThatThrownBy(() -> store.advanceWatermark(at(VIEW, 120)))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("cannot be told apart from that of view User_Txn@v2");
    assertThat(RegistryCodec.decodeWatermark(Files.readAllBytes(store.watermarkFile(VIEW)))).isEqualTo(upper);
  }

  @Test
  void aClosedStoreRefusesWatermarks() {
    FileRegistryStore store = new FileRegistryStore(registry());
    store.close();

    assertThatThrownBy(() -> store.watermark(VIEW)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(store::watermarks).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.advanceWatermark(at(VIEW, 1))).isInstanceOf(IllegalStateException.class);
  }

  // ---- processes --------------------------------------------------------------------------------

  @Test
  @Timeout(90)
  void twoProcessesAdvancingOneViewEndAtTheLatestEndAndNeverGoBack() throws Exception {
    Path go = dir.resolve("go");
    int each = 300;
    Process a = start("process-a", 1, each, go);
    Process b = start("process-b", 2, each, go);
    awaitReady(a);
    awaitReady(b);
    FileRegistryStore observer = new FileRegistryStore(registry());
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> observed = new AtomicReference<>();
    Thread watcher = watch(observer, done, observed);
    Files.createFile(go);

    Map<String, List<Instant[]>> advances = new HashMap<>();
    advances.put("process-a", finish(a));
    advances.put("process-b", finish(b));
    done.set(true);
    watcher.join(10_000);

    assertThat(observed.get()).as("what a reader saw meanwhile").isNull();
    Instant latest = Instant.MIN;
    for (var entry : advances.entrySet()) {
      assertThat(entry.getValue()).as(entry.getKey()).hasSize(each);
      Instant before = Instant.MIN;
      for (Instant[] advance : entry.getValue()) {
        Instant proposed = advance[0];
        Instant inForce = advance[1];
        assertThat(inForce).as("%s: in force after proposing %s", entry.getKey(), proposed).isAfterOrEqualTo(proposed);
        assertThat(inForce).as("%s: never backwards", entry.getKey()).isAfterOrEqualTo(before);
        before = inForce;
        latest = proposed.isAfter(latest) ? proposed : latest;
      }
    }
    Watermark stored = new FileRegistryStore(registry()).watermark(VIEW).orElseThrow();
    assertThat(stored.end()).isEqualTo(latest);
    assertThat(stored.author()).isIn("process-a", "process-b");
  }

  @Test
  @Timeout(90)
  void aProcessKilledWhileAdvancingLeavesACompleteWatermarkThatOnlyMovedForward() throws Exception {
    Random random = new Random(42);
    Instant before = Instant.MIN;
    for (int round = 0; round < 4; round++) {
      Process advancer = start("killed-" + round, round, 0, null);
      Instant lastReported = Instant.MIN;
      try {
        awaitReady(advancer);
        String first = lines(advancer).readLine();
        assertThat(first).as("first advance").isNotNull();
        lastReported = Instant.parse(first.split(" ")[1]);
        Thread.sleep(random.nextInt(300)); // then kill it mid-loop, likely mid-advance
      } finally {
        advancer.destroyForcibly();
        advancer.waitFor(10, TimeUnit.SECONDS);
      }

      FileRegistryStore store = new FileRegistryStore(registry());
      Watermark stored = store.watermark(VIEW).orElseThrow();
      assertThat(stored.end()).as("round %d", round).isAfterOrEqualTo(lastReported).isAfterOrEqualTo(before);
      before = stored.end();
    }

    // After all the kills the view still advances, and the leftovers are gone.
    FileRegistryStore store = new FileRegistryStore(registry());
    Watermark next = new Watermark(VIEW, before.plusSeconds(1), 1, "parent", Instant.now());
    assertThat(store.advanceWatermark(next)).isEqualTo(next);
    try (Stream<Path> entries = Files.list(store.watermarkFile(VIEW).getParent())) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("user_txn@v2.json", ".lock");
    }
  }

  /** A thread that reads the watermark until {@code done}, recording a damaged read or a step back. */
  private static Thread watch(FileRegistryStore store, AtomicBoolean done, AtomicReference<Throwable> failure) {
    Thread watcher =
        new Thread(
            () -> {
              Instant before = Instant.MIN;
              try {
                while (!done.get()) {
                  Instant now = store.watermark(VIEW).map(Watermark::end).orElse(Instant.MIN);
                  if (now.isBefore(before)) {
                    throw new AssertionError("the watermark went back from " + before + " to " + now);
                  }
                  before = now;
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "watermark-watcher");
    watcher.start();
    return watcher;
  }

  private Process start(String author, long seed, int advances, Path startSignal) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(AdvanceLoop.class.getName());
    command.addAll(
        List.of(registry().toString(), author, VIEW, Long.toString(seed), Integer.toString(advances)));
    if (startSignal != null) {
      command.add(startSignal.toString());
    }
    return new ProcessBuilder(command).redirectError(dir.resolve(author + ".err").toFile()).start();
  }

  private void awaitReady(Process advancer) throws IOException {
    String first = lines(advancer).readLine();
    assertThat(first).as("first line of the advancer; stderr: %s", stderrOf()).isEqualTo("ready");
  }

  /** Each advance the process made, as {proposed end, end in force afterwards}, in its order. */
  private List<Instant[]> finish(Process advancer) throws Exception {
    List<Instant[]> advances = new ArrayList<>();
    BufferedReader out = lines(advancer);
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      String[] ends = line.strip().split(" ");
      advances.add(new Instant[] {Instant.parse(ends[0]), Instant.parse(ends[1])});
    }
    assertThat(advancer.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(advancer.exitValue()).as("exit code; stderr: %s", stderrOf()).isZero();
    return advances;
  }

  private final Map<Process, BufferedReader> readers = new HashMap<>();

  private BufferedReader lines(Process p) {
    return readers.computeIfAbsent(
        p, k -> new BufferedReader(new InputStreamReader(k.getInputStream(), StandardCharsets.UTF_8)));
  }

  private String stderrOf() {
    try (var files = Files.newDirectoryStream(dir, "*.err")) {
      for (Path f : files) {
        String text = Files.readString(f);
        if (!text.isBlank()) {
          return f.getFileName() + ": " + text;
        }
      }
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
    return "(empty)";
  }
}
