package dev.quiver.server;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the calling thread's CPU scheduling priority, for background work that must not take CPU
 * from the serving threads when they need it (the feature log's writer). On Linux a thread is a
 * schedulable task of its own: {@code renice} on its id ({@code /proc/thread-self}) sets that
 * thread's nice value only, and the threads it later runs work on (none: the writer's DuckDB runs
 * with one thread, its own) are unaffected. Elsewhere, or when {@code renice} is missing, nothing
 * changes. Raising a nice value needs no privilege.
 */
final class ThreadPriority {
  /** The nice value of a low-priority thread: the kernel's lowest, a weight of 15 against 1024 for nice 0. */
  static final int LOW = 19;

  private ThreadPriority() {}

  /**
   * Sets the calling thread's nice value to {@code nice}.
   *
   * @return whether it was set (false when the system has no per-thread nice or renice failed)
   */
  static boolean setNice(int nice) {
    Path self = Path.of("/proc/thread-self");
    if (!Files.isSymbolicLink(self)) {
      return false;
    }
    try {
      String tid = Files.readSymbolicLink(self).getFileName().toString();
      Process p = new ProcessBuilder("renice", "-n", String.valueOf(nice), "-p", tid).redirectErrorStream(true)
          .redirectOutput(Redirect.DISCARD).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The calling thread's nice value, or null where it cannot be read (not Linux). */
  static Integer nice() {
    try {
      String stat = Files.readString(Path.of("/proc/thread-self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Integer.parseInt(f[16]); // field 19, nice
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
