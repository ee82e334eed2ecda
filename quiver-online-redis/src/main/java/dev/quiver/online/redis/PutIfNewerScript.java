package dev.quiver.online.redis;

import dev.quiver.core.online.RowEncoding;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua script behind {@link RedisOnlineStore#multiPutIfNewer}: for each {@code KEYS[i]} it writes
 * {@code ARGV[i]} unless the stored row's order key is greater than or equal, and returns, per key,
 * the order key of the row stored before ({@code ""} when there was none), from which the client
 * counts what the batch wrote.
 *
 * <p>The order key ({@link RowEncoding}) is bytes 2 to 17 of a format 1 row (Lua strings count from
 * 1), and in a format 2 row the bytes after the big-endian 16-bit length in bytes 2 and 3. Keys are
 * compared exactly like {@link RowEncoding#compareOrder}: byte by byte as unsigned numbers with
 * {@code string.byte}, a key that is a prefix of the other being the smaller. Lua's string {@code <}
 * is not used: it compares with the C library's {@code strcoll}, which depends on the server's
 * locale and stops at a zero byte. A script runs atomically, so concurrent writers of one key cannot
 * interleave between the read and the write.
 *
 * <p>In a Redis Cluster every call's keys must share one slot; the caller groups them.
 */
final class PutIfNewerScript {
  /** The script; its SHA-1 is {@link #SHA}. Changing a byte of it changes the SHA. */
  static final String SOURCE = """
      -- quiver put-if-newer v2: KEYS[i] := ARGV[i] unless the stored order key is >=
      local function okey(row)
        if string.byte(row, 1) == 1 then
          return string.sub(row, 2, 17)
        end
        return string.sub(row, 4, 3 + string.byte(row, 2) * 256 + string.byte(row, 3))
      end
      local before = {}
      for i = 1, #KEYS do
        local new = ARGV[i]
        local old = redis.call('GET', KEYS[i])
        local newer = true
        if old then
          local a, b = okey(new), okey(old)
          newer = false
          if a ~= b then
            local n = math.min(#a, #b)
            local j = 1
            while j <= n and string.byte(a, j) == string.byte(b, j) do
              j = j + 1
            end
            if j > n then
              newer = #a > #b
            else
              newer = string.byte(a, j) > string.byte(b, j)
            end
          end
          before[i] = b
        else
          before[i] = ''
        end
        if newer then
          redis.call('SET', KEYS[i], new)
        end
      end
      return before
      """;

  static final byte[] BYTES = SOURCE.getBytes(StandardCharsets.UTF_8);

  /** What {@code SCRIPT LOAD} answers and {@code EVALSHA} takes: the lowercase hex SHA-1 of the script. */
  static final String SHA = sha1(BYTES);

  /**
   * The script behind {@link RedisOnlineStore#multiPutIfNotOlder} (refills): the same, except that a
   * stored row with an equal order key is replaced too; only a greater one is kept.
   */
  static final String NOT_OLDER_SOURCE = SOURCE
      .replace("-- quiver put-if-newer v2: KEYS[i] := ARGV[i] unless the stored order key is >=",
          "-- quiver put-if-not-older v2: KEYS[i] := ARGV[i] unless the stored order key is >")
      .replace("\n    newer = false\n", "\n    newer = true\n");

  static final byte[] NOT_OLDER_BYTES = NOT_OLDER_SOURCE.getBytes(StandardCharsets.UTF_8);

  /** The SHA-1 of {@link #NOT_OLDER_SOURCE}. */
  static final String NOT_OLDER_SHA = sha1(NOT_OLDER_BYTES);

  static {
    if (NOT_OLDER_SOURCE.contains("newer = false") || !SOURCE.contains("\n    newer = false\n")) {
      throw new ExceptionInInitializerError("the put-if-not-older script is not derived from the put-if-newer one");
    }
    if (RowEncoding.VERSION != 2 || RowEncoding.VERSION_1 != 1) {
      throw new ExceptionInInitializerError("the Lua script reads row formats 1 and 2; RowEncoding's format changed");
    }
  }

  private PutIfNewerScript() {}

  private static String sha1(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }
}
