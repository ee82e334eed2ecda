package dev.quiver.registry.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.testkit.AuditLogContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuditLogTest extends AuditLogContract {
  @TempDir Path dir;

  @Override
  protected RegistryStore newStore() {
    return new FileRegistryStore(dir);
  }

  @Override
  protected RegistryStore reopen() {
    return new FileRegistryStore(dir);
  }

  @Test
  void aLineTornByACrashIsSkippedAndTheNextAppendStartsANewLine() throws Exception {
    try (FileRegistryStore store = new FileRegistryStore(dir)) {
      AuditEvent first = new AuditEvent(Instant.parse("2026-01-01T00:00:00Z"), "ana", "local", "apply", "registry *",
          "cli", "ok", "version 1");
      store.audit().append(first);
      Path file = dir.resolve("audit").resolve(FileAuditLog.FILE);
      Files.write(file, "{\"time\":\"2026-01-01T00:00:01Z\",\"princ".getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.APPEND); // a crash in the middle of a write
      assertThat(store.audit().read(Instant.EPOCH, 10)).containsExactly(first);
      AuditEvent second = new AuditEvent(Instant.parse("2026-01-01T00:00:02Z"), "bob", "token", "push", "source s",
          "127.0.0.1:5000", "ok", "rows 3");
      store.audit().append(second);
      assertThat(store.audit().read(Instant.EPOCH, 10)).containsExactly(first, second);
      assertThat(Files.readString(file)).endsWith("\n");
    }
  }
}
