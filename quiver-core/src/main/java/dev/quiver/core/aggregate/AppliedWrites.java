package dev.quiver.core.aggregate;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a tile row has already taken, so that a replay changes nothing (DESIGN §3, online writes):
 * per (stream, partition) the highest offset applied, and the idempotency keys of recent pushes
 * with the wall-clock time each was applied. Kept inside the row, so it is written atomically with
 * the tiles it describes. Survives rebuilds ({@link EntityTiles#keepNewer}). Not thread-safe.
 */
final class AppliedWrites {
  /** How long a push's idempotency key is remembered (system property {@code quiver.tiles.push-key-hours}, default 24). */
  static final long PUSH_KEY_MICROS = Long.getLong("quiver.tiles.push-key-hours", 24) * 3_600_000_000L;
  /** At most this many push keys per row, oldest dropped first (system property {@code quiver.tiles.push-keys}, default 256). */
  static final int PUSH_KEYS = Integer.getInteger("quiver.tiles.push-keys", 256);

  /** Highest offset by stream, then partition. */
  private final TreeMap<String, TreeMap<Integer, Long>> offsets = new TreeMap<>();
  /** Push idempotency key → when it was applied (UTC micros), oldest first. */
  private final LinkedHashMap<String, Long> pushes = new LinkedHashMap<>();

  boolean isEmpty() {
    return offsets.isEmpty() && pushes.isEmpty();
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

  private void prune(long nowMicros) {
    for (Iterator<Map.Entry<String, Long>> it = pushes.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      if (pushes.size() > PUSH_KEYS || e.getValue() < nowMicros - PUSH_KEY_MICROS) {
        it.remove();
      } else {
        break;
      }
    }
  }

  /** Takes every record of {@code other} (the higher offset of each partition, every push key). */
  void mergeFrom(AppliedWrites other) {
    other.offsets.forEach((s, parts) -> parts.forEach((p, o) -> recordOffset(s, p, o)));
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

  /** Offsets (stream, partition, offset; sorted), then push keys (key, applied micros; oldest first). */
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
  }

  void read(StateCodec.Source in) {
    int n = in.count(3);
    for (int i = 0; i < n; i++) {
      String stream = new String(in.bytes(), StandardCharsets.UTF_8);
      int partition = (int) in.varint();
      recordOffset(stream, partition, in.varint());
    }
    int m = in.count(2);
    for (int i = 0; i < m; i++) {
      String key = new String(in.bytes(), StandardCharsets.UTF_8);
      pushes.put(key, in.zigzag());
    }
  }
}
