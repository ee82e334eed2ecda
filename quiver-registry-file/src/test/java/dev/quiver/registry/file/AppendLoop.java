package dev.quiver.registry.file;

import dev.quiver.core.security.AuditEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * An appending process for {@link FileAuditLogProcessTest}: appends N audit events (principal
 * {@code NAME-i}) to a file registry's audit log, once the start file exists; prints {@code ready}
 * first and {@code done} at the end.
 */
public final class AppendLoop {
  private AppendLoop() {}

  public static void main(String[] args) throws Exception {
    Path registry = Path.of(args[0]);
    String name = args[1];
    int count = Integer.parseInt(args[2]);
    Path go = Path.of(args[3]);
    try (FileRegistryStore store = new FileRegistryStore(registry)) {
      System.out.println("ready");
      System.out.flush();
      while (!Files.exists(go)) {
        Thread.onSpinWait();
      }
      for (int i = 0; i < count; i++) {
        store.audit().append(new AuditEvent(Instant.now(), name + "-" + i, "token", "push", "source s", name, "ok",
            "event " + i + " of " + name));
      }
    }
    System.out.println("done");
  }
}
