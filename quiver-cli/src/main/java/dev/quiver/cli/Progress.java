package dev.quiver.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress line for long work: redrawn in place on a terminal, one line per tenth otherwise, so
 * logs stay short. Not thread-safe; call from the thread doing the work.
 */
final class Progress {
  private final PrintWriter err;
  private final String label;
  private final long total;
  private final boolean terminal = System.console() != null;
  private final long started = System.nanoTime();
  private int lastTenth = -1;

  Progress(PrintWriter err, String label, long total) {
    this.err = err;
    this.label = label;
    this.total = Math.max(1, total);
  }

  void update(long done) {
    int tenth = (int) Math.min(10, done * 10 / total);
    if (terminal) {
      err.printf(Locale.ROOT, "\r  %s %,d / %,d (%d%%)", label, done, total, done * 100 / total);
      err.flush();
    } else if (tenth > lastTenth) {
      lastTenth = tenth;
      err.printf(Locale.ROOT, "  %s %,d / %,d (%d%%)%n", label, done, total, done * 100 / total);
      err.flush();
    }
  }

  void done(long count) {
    double seconds = (System.nanoTime() - started) / 1e9;
    if (terminal) {
      err.print("\r");
    }
    err.printf(Locale.ROOT, "  %s %,d rows in %.1f s%n", label, count, seconds);
    err.flush();
  }
}
