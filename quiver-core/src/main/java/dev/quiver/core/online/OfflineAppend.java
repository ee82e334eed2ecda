package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.OfflineEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The offline half of a push ({@link Pusher}): the rows appended to the source as a new file, each
 * value checked against the type every view over the source expects; with an idempotency key, the
 * file is named from the key so a repeated push writes it once.
 */
final class OfflineAppend {
  private final Definitions defs;
  private final OfflineEngine offline;
  private final Path repoRoot;

  OfflineAppend(Definitions defs, OfflineEngine offline, Path repoRoot) {
    this.defs = defs;
    this.offline = offline;
    this.repoRoot = repoRoot;
  }

  Path appendOffline(FileSource source, Map<String, List<Object>> columns, int rows, Origin origin) {
    if (offline == null) {
      throw new InvalidRequestException("this server does not write to the offline store; push with \"to\": \"online\"");
    }
    // The value types every view over the source expects, so a wrong value is refused here, by name.
    Map<String, ValueType> typed = new LinkedHashMap<>();
    Map<String, JoinKey> keyColumns = new LinkedHashMap<>();
    for (FeatureView view : defs.views()) {
      if (!view.source().equals(source.name())) {
        continue;
      }
      for (String e : view.entities()) {
        defs.entity(e).orElseThrow().joinKeys().forEach(k -> keyColumns.putIfAbsent(k.name(), k));
      }
      for (Feature f : view.features()) {
        if (f instanceof ColumnFeature c && c.type() != null) {
          typed.put(c.column(), c.type());
        }
      }
    }
    List<String> names = new ArrayList<>(columns.keySet());
    List<String> raw = names.stream().map(source::rawColumn).toList();
    List<Object[]> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      Object[] row = new Object[names.size()];
      for (int c = 0; c < names.size(); c++) {
        String name = names.get(c);
        Object v = columns.get(name).get(r);
        ValueType t = typed.get(name);
        JoinKey key = keyColumns.get(name);
        row[c] = name.equals(source.timestampColumn()) || name.equals(source.createdColumn())
            ? (v == null ? null : PushValues.timestamp(v, name, r))
            : key != null ? EntityValues.coerce(key, v, r)
            : t != null ? PushValues.coerce(t, v, name, r) : v;
      }
      out.add(row);
    }
    if (origin instanceof Origin.Push(String key) && key != null) {
      return offline.appendToSource(source, repoRoot, raw, out, "key-" + keyHash(key));
    }
    return offline.appendToSource(source, repoRoot, raw, out);
  }

  /** A file-name-safe digest of an idempotency key (SHA-256, the first 16 bytes in hex). */
  static String keyHash(String key) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
