package dev.quiver.core.aggregate;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a tile row has already taken, so that a replay changes nothing (DESIGN §3, online writes):
 * per (stream, partition) the highest offset applied, and the idempotency keys of recent pushes
 * with the wall-clock time each was applied; and when the row last took an online write (a push, a
 * stream batch) and from which process, so that a materialization whose offline scan may have
 * missed that write leaves the row alone ({@link EntityTiles#writtenOnlineSince}). Kept inside the
 * row, so it is written atomically with the tiles it describes. Survives rebuilds ({@link
 * EntityTiles#keepNewer}). Not thread-safe.
 */
final class AppliedWrites {
  /** How long a push's idempotency key is remembered (system property {@code quiver.tiles.push-key-hours}, default 24). */
  static final long PUSH_KEY_MICROS = Long.getLong("quiver.tiles.push-key-hours", 24) * 3_600_000_000L;
  /** At most this many push keys per row, oldest dropped first (system property {@code quiver.tiles.push-keys}, default 256). */
  static final int PUSH_KEYS = Integer.getInteger("quiver.tiles.push-keys", 256);
  /** The prefix of a push key that names a pushed file a rebuild read ({@code dev.quiver.core.online.PushedFile}). */
  static final String FILE_KEY = "file:";
  /**
   * How long a pushed file's key is remembered (system property {@code
   * quiver.tiles.pushed-file-minutes}, default 10): it only has to outlive the pause between that push's
   * offline append and its online write, so rows of often-pushed keys stay small.
   */
  static final long FILE_KEY_MICROS = Long.getLong("quiver.tiles.pushed-file-minutes", 10) * 60_000_000L;

  /** Highest offset by stream, then partition. */
  private final TreeMap<String, TreeMap<Integer, Long>> offsets = new TreeMap<>();
  /** Push idempotency key → when it was applied (UTC micros), oldest first. */
  private final LinkedHashMap<String, Long> pushes = new LinkedHashMap<>();

  /**
   * This process's writer id, recorded with an online write: a materialization in the same process
   * compares the write's wall-clock time with its own exactly, one in another process allows for
   * clock skew. Random, never {@link #SEVERAL}.
   */
  static final long PROCESS = processId();
  /** The writer of a row written online by more than one process. */
  static final long SEVERAL = 0;

  /** Wall-clock time (UTC micros) of the last online write; {@link Long#MIN_VALUE} when none. */
  private long lastOnlineWrite = Long.MIN_VALUE;
  /** The process that made the online writes ({@link #PROCESS} of one), or {@link #SEVERAL}. */
  private long writer = SEVERAL;

  private static long processId() {
    long id;
    do {
      id = new java.security.SecureRandom().nextLong();
    } while (id == SEVERAL);
    return id;
  }

  boolean isEmpty() {
    return offsets.isEmpty() && pushes.isEmpty() && lastOnlineWrite == Long.MIN_VALUE;
  }

  /** Records an online write made now ({@code wallMicros}, UTC) by this process. */
  void recordOnlineWrite(long wallMicros) {
    takeOnlineWrite(wallMicros, PROCESS);
  }

  private void takeOnlineWrite(long wallMicros, long by) {
    writer = lastOnlineWrite == Long.MIN_VALUE || writer == by ? by : SEVERAL;
    lastOnlineWrite = Math.max(lastOnlineWrite, wallMicros);
  }

  /**
   * True when the row took an online write at or after {@code sinceMicros} (UTC, this process's
   * clock), allowing {@code skewMicros} for a write another process's clock stamped.
   */
  boolean writtenOnlineSince(long sinceMicros, long skewMicros) {
    if (lastOnlineWrite == Long.MIN_VALUE) {
      return false;
    }
    return lastOnlineWrite >= (writer == PROCESS ? sinceMicros : sinceMicros - skewMicros);
  }

  /** The highest offset applied from a partition, or -1. */
  long offset(String stream, int partition) {
    TreeMap<Integer, Long> p = offsets.get(stream);
    Long o = p == null ? null : p.get(partition);
    return o == null ? -1 : o;
  }

  void recordOffset(String stream, int partition, long offset) {
    offsets.computeIfAbsent(stream, s -> new TreeMap<>()).merge(partition, offset, Math::max);
  }

  boolean hasPush(String key) {
    return pushes.containsKey(key);
  }

  /** Records a push applied at {@code nowMicros}; forgets keys older than the window and past the count. */
  void recordPush(String key, long nowMicros) {
    pushes.remove(key);
    pushes.put(key, nowMicros);
    prune(nowMicros);
  }

  /** Forgets the oldest keys past the count, and every key older than its window (idempotency or pushed-file key). */
  private void prune(long nowMicros) {
    for (Iterator<Map.Entry<String, Long>> it = pushes.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      long window = e.getKey().startsWith(FILE_KEY) ? FILE_KEY_MICROS : PUSH_KEY_MICROS;
      if (pushes.size() > PUSH_KEYS || e.getValue() < nowMicros - window) {
        it.remove();
      }
    }
  }

  /** Takes every record of {@code other} (the higher offset of each partition, every push key, the later online write). */
  void mergeFrom(AppliedWrites other) {
    other.offsets.forEach((s, parts) -> parts.forEach((p, o) -> recordOffset(s, p, o)));
    if (other.lastOnlineWrite != Long.MIN_VALUE) {
      takeOnlineWrite(other.lastOnlineWrite, other.writer);
    }
    if (other.pushes.isEmpty()) {
      return;
    }
    LinkedHashMap<String, Long> all = new LinkedHashMap<>();
    java.util.List<Map.Entry<String, Long>> entries = new java.util.ArrayList<>(pushes.entrySet());
    entries.addAll(other.pushes.entrySet());
    entries.sort(Map.Entry.comparingByValue()); // stable: ties keep their order
    long newest = Long.MIN_VALUE;
    for (Map.Entry<String, Long> e : entries) {
      all.remove(e.getKey());
      all.put(e.getKey(), e.getValue());
      newest = Math.max(newest, e.getValue());
    }
    pushes.clear();
    pushes.putAll(all);
    prune(newest);
  }

  /**
   * Offsets (stream, partition, offset; sorted), then push keys (key, applied micros; oldest first),
   * then, only when the row took an online write, its wall-clock time (zigzag micros) and writer (8 bytes).
   */
  void write(StateCodec.Sink out) {
    int n = 0;
    for (TreeMap<Integer, Long> p : offsets.values()) {
      n += p.size();
    }
    out.varint(n);
    offsets.forEach((s, parts) -> parts.forEach((p, o) -> {
      out.bytes(s.getBytes(StandardCharsets.UTF_8));
      out.varint(p);
      out.varint(o);
    }));
    out.varint(pushes.size());
    pushes.forEach((k, at) -> {
      out.bytes(k.getBytes(StandardCharsets.UTF_8));
      out.zigzag(at);
    });
    if (lastOnlineWrite != Long.MIN_VALUE) {
      out.zigzag(lastOnlineWrite);
      out.be64(writer);
    }
  }

  /** A stream's name as bytes and text: the last one read, so a consumer's rows (all naming its stream) decode no text. */
  private record StreamName(byte[] bytes, String text) {}

  private static volatile StreamName lastStream = new StreamName(new byte[0], "");

  private static String streamName(StateCodec.Source in) {
    int at = in.position();
    StreamName last = lastStream;
    if (in.skipIfNext(last.bytes())) {
      return last.text();
    }
    in.at(at);
    byte[] bytes = in.bytes();
    String text = new String(bytes, StandardCharsets.UTF_8);
    lastStream = new StreamName(bytes, text);
    return text;
  }

  void read(StateCodec.Source in) {
    int n = in.count(3);
    for (int i = 0; i < n; i++) {
      String stream = streamName(in);
      int partition = (int) in.varint();
      recordOffset(stream, partition, in.varint());
    }
    int m = in.count(2);
    for (int i = 0; i < m; i++) {
      String key = new String(in.bytes(), StandardCharsets.UTF_8);
      pushes.put(key, in.zigzag());
    }
    if (in.hasMore()) { // a row that never took an online write ends here
      lastOnlineWrite = in.zigzag();
      writer = in.be64();
    }
  }
}
