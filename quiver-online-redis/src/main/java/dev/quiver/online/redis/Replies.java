package dev.quiver.online.redis;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Waits for Redis's answers to {@link RedisOnlineStore}'s commands and turns every failure into a
 * {@link QuiverException} that names the server and what was being done ("redis at host:port did
 * not answer within 500ms (command_timeout) while reading 3 keys of table t; ..."). A command
 * answered with NOSCRIPT, MOVED or ASK can be sent once more ({@link #awaitAll}). Thread-safe
 * (immutable).
 */
final class Replies {
  private final String endpoint;
  private final Duration commandTimeout;
  private final long waitNanos;

  Replies(String endpoint, Duration commandTimeout) {
    this.endpoint = endpoint;
    this.commandTimeout = commandTimeout;
    // Lettuce times every command out after command_timeout (its timer ticks every 100 ms);
    // this backstop only matters should that fail
    this.waitNanos = commandTimeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(150);
  }

  /**
   * Waits for every future; one that failed with NOSCRIPT, MOVED or ASK is sent once more by {@code
   * retry} (all retries together, after the first answers). Any other failure throws.
   */
  <T> List<T> awaitAll(List<? extends Future<T>> futures, IntFunction<? extends Future<T>> retry,
      Supplier<String> what) {
    List<T> results = new ArrayList<>(Collections.nCopies(futures.size(), null));
    List<Integer> again = new ArrayList<>();
    for (int i = 0; i < futures.size(); i++) {
      try {
        results.set(i, awaitRaw(futures, i, what));
      } catch (ExecutionException e) {
        if (isRetryable(e.getCause())) {
          again.add(i);
        } else {
          cancel(futures, i);
          throw failure(what.get(), e.getCause());
        }
      }
    }
    if (!again.isEmpty()) {
      List<Future<T>> retries = new ArrayList<>(again.size());
      for (int i : again) {
        retries.add(retry.apply(i));
      }
      for (int r = 0; r < retries.size(); r++) {
        try {
          results.set(again.get(r), awaitRaw(retries, r, what));
        } catch (ExecutionException e) {
          cancel(retries, r);
          throw failure(what.get(), e.getCause());
        }
      }
    }
    return results;
  }

  static boolean isRetryable(Throwable e) {
    if (e instanceof RedisNoScriptException) {
      return true;
    }
    String m = e instanceof RedisCommandExecutionException ? String.valueOf(e.getMessage()) : "";
    return m.startsWith("NOSCRIPT") || m.startsWith("MOVED ") || m.startsWith("ASK ");
  }

  <T> T await(Future<T> future, Supplier<String> what) {
    try {
      return awaitRaw(List.of(future), 0, what);
    } catch (ExecutionException e) {
      throw failure(what.get(), e.getCause());
    }
  }

  /**
   * Waits for {@code futures[i]}; on a timeout or an interrupt cancels it and those after it and
   * throws a QuiverException. Redis's own errors come back as the ExecutionException.
   */
  <T> T awaitRaw(List<? extends Future<T>> futures, int i, Supplier<String> what) throws ExecutionException {
    try {
      return futures.get(i).get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException | CancellationException e) {
      cancel(futures, i);
      throw failure(what.get(), new TimeoutException("no answer within " + Durations.format(commandTimeout)));
    } catch (InterruptedException e) {
      cancel(futures, i);
      Thread.currentThread().interrupt();
      throw new QuiverException("interrupted while " + what.get() + " at " + endpoint, e);
    }
  }

  static void cancel(List<? extends Future<?>> futures, int from) {
    for (int i = from; i < futures.size(); i++) {
      futures.get(i).cancel(false);
    }
  }

  QuiverException failure(String what, Throwable error) {
    Throwable e = error;
    while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
      e = e.getCause();
    }
    String within = " did not answer within " + Durations.format(commandTimeout) + " (command_timeout) while ";
    return switch (e) {
      case RedisCommandTimeoutException t -> new QuiverException(endpoint + within + what
          + "; check that Redis is running and reachable (the store reconnects by itself once it is)", t);
      case TimeoutException t -> new QuiverException(endpoint + within + what
          + "; check that Redis is running and reachable (the store reconnects by itself once it is)", t);
      case RedisCommandExecutionException r -> new QuiverException(endpoint + " refused " + what + ": " + r.getMessage(), r);
      case RedisException r -> new QuiverException(endpoint + within + what + ": not connected (" + messages(r)
          + "); the store reconnects by itself once Redis is back", r);
      default -> new QuiverException(endpoint + " failed while " + what + ": " + messages(e), e);
    };
  }

  /** The messages of an exception and its causes, for people. */
  static String messages(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null && out.length() < 500; t = t.getCause()) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (out.indexOf(m) < 0) {
        out.append(out.isEmpty() ? "" : ": ").append(m);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return out.toString();
  }

  /** {@code n} and the noun, plural unless one: "1 row", "3 rows". */
  static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
