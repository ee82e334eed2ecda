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
 * <p>The order key is bytes 2 to 17 of a row (Lua strings count from 1; {@link
 * RowEncoding#ORDER_KEY_OFFSET} counts from 0), compared byte by byte as unsigned numbers with
 * {@code string.byte}, exactly like {@link RowEncoding#isNewer}. Lua's string {@code <} is not used:
 * it compares with the C library's {@code strcoll}, which depends on the server's locale. A script
 * runs atomically, so concurrent writers of one key cannot interleave between the read and the write.
 *
 * <p>In a Redis Cluster every call's keys must share one slot; the caller groups them.
 */
final class PutIfNewerScript {
  /** The script; its SHA-1 is {@link #SHA}. Changing a byte of it changes the SHA. */
  static final String SOURCE = """
      -- quiver put-if-newer v1: KEYS[i] := ARGV[i] unless the stored order key (bytes 2..17) is >=
      local before = {}
      for i = 1, #KEYS do
        local new = ARGV[i]
        local old = redis.call('GET', KEYS[i])
        local newer = true
        if old then
          newer = false
          for j = 2, 17 do
            local a, b = string.byte(new, j), string.byte(old, j)
            if a ~= b then
              newer = b == nil or (a ~= nil and a > b)
              break
            end
          end
          before[i] = string.sub(old, 2, 17)
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
      .replace("-- quiver put-if-newer v1: KEYS[i] := ARGV[i] unless the stored order key (bytes 2..17) is >=",
          "-- quiver put-if-not-older v1: KEYS[i] := ARGV[i] unless the stored order key (bytes 2..17) is >")
      .replace("\n    newer = false\n", "\n    newer = true\n");

  static final byte[] NOT_OLDER_BYTES = NOT_OLDER_SOURCE.getBytes(StandardCharsets.UTF_8);

  /** The SHA-1 of {@link #NOT_OLDER_SOURCE}. */
  static final String NOT_OLDER_SHA = sha1(NOT_OLDER_BYTES);

  static {
    if (NOT_OLDER_SOURCE.contains("newer = false") || !SOURCE.contains("\n    newer = false\n")) {
      throw new ExceptionInInitializerError("the put-if-not-older script is not derived from the put-if-newer one");
    }
    if (RowEncoding.ORDER_KEY_OFFSET != 1 || RowEncoding.ORDER_KEY_LENGTH != 16) {
      throw new ExceptionInInitializerError("the Lua script compares bytes 2..17; RowEncoding's order key moved");
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
