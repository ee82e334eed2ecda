package dev.quiver.registry.file;

import dev.quiver.core.RegistryConflictException;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.testkit.SampleDefinitions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A writer process for {@link FileRegistryProcessTest}: commits to a file registry as fast as it
 * can, planning again whenever another writer wins, and prints each version it wins on its own line.
 *
 * <p>Arguments: the registry directory, the author name, how many versions to win (0: until killed),
 * and optionally a file to wait for before starting, so that several writers start together. It
 * prints {@code ready} once it is warmed up (one head read done) and about to start.
 */
public final class CommitLoop {
  private CommitLoop() {}

  public static void main(String[] args) throws Exception {
    Path registry = Path.of(args[0]);
    String author = args[1];
    long wanted = Long.parseLong(args[2]);
    Path startSignal = args.length > 3 ? Path.of(args[3]) : null;
    PrintStream out = System.out;

    FileRegistryStore store = new FileRegistryStore(registry);
    store.head();
    out.println("ready");
    out.flush();
    while (startSignal != null && !Files.exists(startSignal)) {
      Thread.onSpinWait();
    }
    long won = 0;
    int attempt = 0;
    while (wanted == 0 || won < wanted) {
      long head = store.head().map(VersionInfo::version).orElse(0L);
      try {
        VersionInfo info =
            store.commit(
                head, SampleDefinitions.sample(author.hashCode() + attempt++), author, "loop", Instant.now());
        won++;
        out.println(info.version());
        out.flush();
      } catch (RegistryConflictException lost) {
        // another writer got this version; plan again
      }
    }
    store.close();
  }
}
