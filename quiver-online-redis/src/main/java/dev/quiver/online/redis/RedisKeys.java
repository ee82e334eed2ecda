package dev.quiver.online.redis;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The Redis key layout of the online store, format 1 (documented on {@link RedisOnlineStore}):
 *
 * <pre>
 * row key    = prefix ":" table ":{" hex(entity key) "}"
 * tables key = prefix ":tables"
 * </pre>
 *
 * <p>{@code hex} is lowercase, two digits per byte of the {@link dev.quiver.core.online.KeyEncoding}
 * key. Only the part between the braces is hashed by Redis Cluster (a hash tag), so the slot of a row
 * depends only on its entity key. Stateless and thread-safe.
 */
final class RedisKeys {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final char[] GLOB = {'*', '?', '[', ']', '\\'};

  private final String prefix;
  private final byte[] tablesKey;

  RedisKeys(String prefix) {
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.tablesKey = (prefix + ":tables").getBytes(StandardCharsets.UTF_8);
  }

  String prefix() {
    return prefix;
  }

  /** The set of table names {@link RedisOnlineStore#createTable} records. */
  byte[] tablesKey() {
    return tablesKey.clone();
  }

  /**
   * <code>prefix:table:&#123;</code> as bytes, the start every row key of the table shares.
   *
   * @throws IllegalArgumentException when the table name is empty or holds a brace
   */
  byte[] rowKeyStart(String table) {
    check(table);
    return (prefix + ":" + table + ":{").getBytes(StandardCharsets.UTF_8);
  }

  /** The Redis key of one entity key's row, given {@link #rowKeyStart}. */
  static byte[] rowKey(byte[] start, byte[] entityKey) {
    byte[] out = new byte[start.length + 2 * entityKey.length + 1];
    System.arraycopy(start, 0, out, 0, start.length);
    int p = start.length;
    for (byte b : entityKey) {
      out[p++] = HEX[(b >> 4) & 0xF];
      out[p++] = HEX[b & 0xF];
    }
    out[p] = '}';
    return out;
  }

  /** The SCAN MATCH pattern of the table's row keys, <code>prefix:table:&#123;*</code>, glob characters escaped. */
  byte[] rowPattern(String table) {
    check(table);
    return (escape(prefix) + ":" + escape(table) + ":{*").getBytes(StandardCharsets.UTF_8);
  }

  static void check(String table) {
    Objects.requireNonNull(table, "table");
    if (table.isEmpty() || table.indexOf('{') >= 0 || table.indexOf('}') >= 0) {
      throw new IllegalArgumentException("table name '" + table + "' must be non-empty and hold no '{' or '}'");
    }
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      for (char g : GLOB) {
        if (c == g) {
          out.append('\\');
          break;
        }
      }
      out.append(c);
    }
    return out.toString();
  }
}
