package dev.quiver.online.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua script behind {@link RedisOnlineStore#multiCompareAndSet}: for each {@code KEYS[i]} it
 * writes {@code ARGV[2i]} (or deletes the key) when the stored string equals {@code ARGV[2i-1]} (or
 * the key is absent), and answers, per key, 1 when it did and 0 when it did not.
 *
 * <p>The last argument holds one mode character per key, {@code '0' + (expect absent ? 1 : 0) +
 * (delete ? 2 : 0)}, so an absent key and an empty string stay apart (for those, the unused argument
 * is empty). Strings are compared with Lua's {@code ==}, which compares whole byte strings,
 * binary-safe and independent of the server's locale. A script runs atomically, so no other
 * client's command runs between the {@code GET} and the {@code SET}.
 *
 * <p>In a Redis Cluster every call's keys must share one slot; the caller groups them.
 */
final class CompareAndSetScript {
  /** The script; its SHA-1 is {@link #SHA}. Changing a byte of it changes the SHA. */
  static final String SOURCE = """
      -- quiver compare-and-set v1: KEYS[i] := ARGV[2i] (or deleted) if it holds ARGV[2i-1] (or is absent)
      local modes = ARGV[#ARGV]
      local done = {}
      for i = 1, #KEYS do
        local mode = string.byte(modes, i) - 48
        local old = redis.call('GET', KEYS[i])
        local same
        if mode % 2 == 1 then
          same = not old
        else
          same = old == ARGV[2 * i - 1]
        end
        if same then
          if mode >= 2 then
            redis.call('DEL', KEYS[i])
          else
            redis.call('SET', KEYS[i], ARGV[2 * i])
          end
          done[i] = 1
        else
          done[i] = 0
        end
      end
      return done
      """;

  static final byte[] BYTES = SOURCE.getBytes(StandardCharsets.UTF_8);

  /** What {@code SCRIPT LOAD} answers and {@code EVALSHA} takes: the lowercase hex SHA-1 of the script. */
  static final String SHA = sha1(BYTES);

  /** The mode character of one swap. */
  static byte mode(byte[] expected, byte[] value) {
    return (byte) ('0' + (expected == null ? 1 : 0) + (value == null ? 2 : 0));
  }

  private CompareAndSetScript() {}

  private static String sha1(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }
}
