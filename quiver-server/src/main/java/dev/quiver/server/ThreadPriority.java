package dev.quiver.server;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the calling thread's CPU scheduling priority, for background work that must not take CPU
 * from the serving threads when they need it (the feature log's writer). On Linux a thread is a
 * schedulable task of its own: {@code renice} (or {@code chrt}) on its id ({@code /proc/thread-self})
 * changes that thread only, and the threads it later runs work on (none: the writer's DuckDB runs
 * with one thread, its own) are unaffected. Elsewhere, or when the command is missing, nothing
 * changes. Lowering a thread's own priority needs no privilege.
 */
final class ThreadPriority {
  /** The nice value of a low-priority thread: the kernel's lowest, a weight of 15 against 1024 for nice 0. */
  static final int LOW = 19;
  /** The scheduling policy number of Linux's {@code SCHED_IDLE}, as {@link #policy()} reads it. */
  static final int SCHED_IDLE = 5;

  private ThreadPriority() {}

  /**
   * Lowers the calling thread to {@code priority}: nothing for normal, nice {@link #LOW} for low, and
   * for idle nice {@link #LOW} then {@code SCHED_IDLE} (the thread runs only when no other thread wants
   * its CPU, and is preempted as soon as one does).
   *
   * @return false when the thread could not be lowered at all (no per-thread nice value here); for
   *     idle, true once nice {@link #LOW} is set even if {@code SCHED_IDLE} could not be
   */
  static boolean lower(FeatureLogSettings.WriterPriority priority) {
    return switch (priority) {
      case NORMAL -> true;
      case LOW -> setNice(LOW);
      case IDLE -> {
        boolean niced = setNice(LOW);
        yield setIdle() || niced;
      }
    };
  }

  /**
   * Sets the calling thread's nice value to {@code nice}.
   *
   * @return whether it was set (false when the system has no per-thread nice or renice failed)
   */
  static boolean setNice(int nice) {
    return onThisThread(List.of("renice", "-n", String.valueOf(nice), "-p"));
  }

  /**
   * Puts the calling thread under Linux's {@code SCHED_IDLE} policy ({@code chrt --idle -p 0 TID}).
   *
   * @return whether it was set (false elsewhere, or when chrt is missing or failed)
   */
  static boolean setIdle() {
    return onThisThread(List.of("chrt", "--idle", "-p", "0"));
  }

  /** The calling thread's nice value, or null where it cannot be read (not Linux). */
  static Integer nice() {
    return statField(16); // field 19, nice
  }

  /** The calling thread's scheduling policy (0 normal, {@link #SCHED_IDLE}), or null where it cannot be read. */
  static Integer policy() {
    return statField(38); // field 41, policy
  }

  /** Runs {@code command} with this thread's id appended; whether it ran and exited 0. */
  private static boolean onThisThread(List<String> command) {
    Path self = Path.of("/proc/thread-self");
    if (!Files.isSymbolicLink(self)) {
      return false;
    }
    try {
      List<String> line = new ArrayList<>(command);
      line.add(Files.readSymbolicLink(self).getFileName().toString());
      Process p = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(Redirect.DISCARD).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Field {@code index} after the command name of {@code /proc/thread-self/stat} (0 = field 3, state). */
  private static Integer statField(int index) {
    try {
      String stat = Files.readString(Path.of("/proc/thread-self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Integer.parseInt(f[index]);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
