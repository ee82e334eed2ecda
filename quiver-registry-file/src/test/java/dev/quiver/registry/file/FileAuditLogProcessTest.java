package dev.quiver.registry.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.security.AuditEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several JVMs appending to one file registry's audit log at once: every event is kept, whole and in each writer's order. */
class FileAuditLogProcessTest {
  @TempDir Path dir;

  @Test
  @Timeout(90)
  void threeProcessesAppendingAtOnceLoseNothing() throws Exception {
    Path registry = dir.resolve("registry");
    Path go = dir.resolve("go");
    int each = 150;
    List<Process> writers = new ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          AppendLoop.class.getName(), registry.toString(), name, Integer.toString(each), go.toString());
      writers.add(new ProcessBuilder(command).redirectError(dir.resolve(name + ".err").toFile()).start());
    }
    List<BufferedReader> outs = new ArrayList<>();
    for (Process p : writers) {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("ready");
      outs.add(out);
    }
    Files.createFile(go);
    for (int i = 0; i < writers.size(); i++) {
      assertThat(outs.get(i).readLine()).as("stderr: %s", Files.readString(dir.resolve(List.of("a", "b", "c").get(i) + ".err")))
          .isEqualTo("done");
      assertThat(writers.get(i).waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    try (FileRegistryStore store = new FileRegistryStore(registry)) {
      List<AuditEvent> all = store.audit().read(Instant.EPOCH, Integer.MAX_VALUE);
      assertThat(all).hasSize(3 * each);
      for (String name : List.of("a", "b", "c")) {
        List<String> mine = all.stream().filter(e -> e.client().equals(name)).map(AuditEvent::principal).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < each; i++) {
          expected.add(name + "-" + i);
        }
        assertThat(mine).containsExactlyElementsOf(expected);
      }
      assertThat(Files.readAllLines(registry.resolve("audit").resolve(FileAuditLog.FILE))).hasSize(3 * each);
    }
  }
}
