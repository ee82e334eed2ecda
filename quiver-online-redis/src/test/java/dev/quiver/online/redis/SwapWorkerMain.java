package dev.quiver.online.redis;

import dev.quiver.core.online.OnlineStore;
import dev.quiver.testkit.SwapCounters;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * A second process for {@link RedisSwapProcessesTest}: opens a Redis online store, says {@code
 * ready}, waits for a line on standard input, runs {@link SwapCounters#increment} on the test's
 * counters, and prints {@code added a,b,c} (the increments it made per counter).
 *
 * <p>Arguments: url, key prefix, {@code cluster} or {@code standalone}, rounds, seed.
 */
public final class SwapWorkerMain {
  private SwapWorkerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, Object> options = RedisOnlineStoreTest.options(args[0], args[1]);
    options.put("cluster", "cluster".equals(args[2]));
    int rounds = Integer.parseInt(args[3]);
    long seed = Long.parseLong(args[4]);
    try (OnlineStore store = new RedisOnlineStoreProvider().open(options, Path.of("."))) {
      System.out.println("ready");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      long[] added = new long[RedisSwapProcessesTest.KEYS.size()];
      SwapCounters.increment(store, RedisSwapProcessesTest.TABLE, RedisSwapProcessesTest.KEYS, rounds, new Random(seed),
          added);
      System.out.println("added " + Arrays.stream(added).mapToObj(Long::toString).collect(Collectors.joining(",")));
    }
  }
}
