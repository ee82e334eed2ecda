package dev.quiver.registry.file;

import dev.quiver.core.registry.Watermark;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

/**
 * An advancing process for {@link FileRegistryWatermarkTest}: advances one view's watermark in a
 * file registry to random ends that trend later (so most advances race to write, and some are
 * refused as earlier), as fast as it can, and prints each advance on its own line as
 * {@code <proposed end> <end in force afterwards>}.
 *
 * <p>Arguments: the registry directory, the author name, the view, a random seed, how many
 * advances to make (0: until killed), and optionally a file to wait for before starting, so that
 * several processes start together. It prints {@code ready} once it is warmed up (one read done) and
 * about to start.
 */
public final class AdvanceLoop {
  static final Instant BASE = Instant.parse("2024-05-01T00:00:00Z");

  private AdvanceLoop() {}

  public static void main(String[] args) throws Exception {
    Path registry = Path.of(args[0]);
    String author = args[1];
    String view = args[2];
    Random random = new Random(Long.parseLong(args[3]));
    long wanted = Long.parseLong(args[4]);
    Path startSignal = args.length > 5 ? Path.of(args[5]) : null;
    PrintStream out = System.out;

    FileRegistryStore store = new FileRegistryStore(registry);
    store.watermark(view);
    out.println("ready");
    out.flush();
    while (startSignal != null && !Files.exists(startSignal)) {
      Thread.onSpinWait();
    }
    for (long i = 0; wanted == 0 || i < wanted; i++) {
      Instant end = BASE.plusSeconds(i * 60 + random.nextInt(600)).plusNanos(random.nextInt(1000) * 1000L);
      Watermark inForce = store.advanceWatermark(new Watermark(view, end, 1, author, Instant.now()));
      out.println(end + " " + inForce.end());
      out.flush();
    }
    store.close();
  }
}
