package dev.quiver.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress line for long work: redrawn in place on a terminal, one line per tenth otherwise, so
 * logs stay short. Thread-safe: engines report from their own threads.
 */
final class Progress {
  private final PrintWriter err;
  private final String label;
  private final long total;
  private final boolean terminal = System.console() != null;
  private final long started = System.nanoTime();
  private int lastTenth = -1;

  private final boolean percent;

  Progress(PrintWriter err, String label, long total) {
    this(err, label, total, false);
  }

  private Progress(PrintWriter err, String label, long total, boolean percent) {
    this.err = err;
    this.label = label;
    this.total = Math.max(1, total);
    this.percent = percent;
  }

  /** Progress reported as a percentage (0 to 100) rather than a count. */
  static Progress percent(PrintWriter err, String label) {
    return new Progress(err, label, 100, true);
  }

  synchronized void update(long done) {
    int tenth = (int) Math.min(10, done * 10 / total);
    String line = percent ? String.format(Locale.ROOT, "  %s %d%%", label, done)
        : String.format(Locale.ROOT, "  %s %,d / %,d (%d%%)", label, done, total, done * 100 / total);
    if (terminal) {
      err.print("\r" + line);
      err.flush();
    } else if (tenth > lastTenth && tenth < 10) {
      lastTenth = tenth;
      err.println(line);
      err.flush();
    }
  }

  synchronized void done(long count) {
    double seconds = (System.nanoTime() - started) / 1e9;
    if (terminal) {
      err.print("\r");
    }
    err.printf(Locale.ROOT, "  %s %,d rows in %.1f s%n", label, count, seconds);
    err.flush();
  }
}
