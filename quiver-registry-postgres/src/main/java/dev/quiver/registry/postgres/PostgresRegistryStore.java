package dev.quiver.registry.postgres;

import dev.quiver.core.Names;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.registry.CommitAttempt;
import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.registry.Watermark;
import dev.quiver.core.security.AuditLog;
import dev.quiver.core.security.TokenStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * A registry in PostgreSQL: one row per version in {@code versions}, holding the same {@link
 * RegistryCodec} bytes the file registry writes to {@code versions/NNNNNNNNNN.json}; one row per
 * saved training set in {@code datasets}; one per view version's watermark in {@code watermarks};
 * beside them the {@link #tokens() API tokens} and the {@link #audit() audit log}.
 *
 * <p><b>Commit protocol.</b> One statement inserts version {@code expectedHead + 1} when version
 * {@code expectedHead} exists, {@code ON CONFLICT (version) DO NOTHING}: the primary key makes one of
 * several writers (threads, processes, machines) win; the others insert nothing and get a {@link
 * RegistryConflictException}. A check constraint ({@code parent = version - 1}) and the existence
 * test keep the versions gapless. A transaction either commits the whole row or nothing. The same
 * statement sends {@code NOTIFY quiver_registry}, delivered when (and only if) the row commits, so
 * {@link #onNewVersion} listeners in every process hear of the version within milliseconds ({@link
 * VersionNotifications}).
 *
 * <p><b>Watermarks</b> are advanced in a transaction holding the view's row lock ({@code SELECT ...
 * FOR UPDATE}), so concurrent advances are serialized and the one furthest ahead remains.
 *
 * <p>Versions and datasets are immutable, so their records are cached once read and verified.
 * Thread-safe; safe from many processes and machines.
 */
final class PostgresRegistryStore implements RegistryStore {
  private static final Pattern VERSION_SUFFIX = Pattern.compile("@v(?=[0-9]+$)");
  private static final Comparator<Watermark> BY_VIEW =
      Comparator.comparing((Watermark w) -> VERSION_SUFFIX.split(w.view())[0])
          .thenComparingInt(w -> Integer.parseInt(VERSION_SUFFIX.split(w.view())[1]));

  private final RegistryDatabase db;
  private final PostgresAuditLog audit;
  private final PostgresValidationLog validation;
  private final PostgresSkewLog skew;
  private final PostgresTokenStore tokens;
  private final VersionNotifications notifications;
  private final ConcurrentMap<Long, VersionInfo> verifiedInfos = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, DatasetRecord> verifiedDatasets = new ConcurrentHashMap<>();
  private volatile boolean closed;

  PostgresRegistryStore(RegistryDatabase db) {
    this.db = Objects.requireNonNull(db, "db");
    this.audit = new PostgresAuditLog(db);
    this.validation = new PostgresValidationLog(db);
    this.skew = new PostgresSkewLog(db);
    this.tokens = new PostgresTokenStore(db);
    this.notifications = new VersionNotifications(db);
  }

  @Override
  public Optional<VersionInfo> head() {
    ensureOpen();
    OptionalLong newest = newestVersion();
    return newest.isPresent() ? Optional.of(info(newest.getAsLong())) : Optional.empty();
  }

  @Override
  public List<VersionInfo> log() {
    ensureOpen();
    List<Long> present = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT version FROM " + db.table("versions") + " ORDER BY version DESC");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        present.add(rs.getLong(1));
      }
    } catch (SQLException e) {
      throw db.failure("list the registry versions", e);
    }
    List<VersionInfo> log = new ArrayList<>(present.size());
    for (long v : present) {
      log.add(info(v));
    }
    return List.copyOf(log);
  }

  @Override
  public RegistrySnapshot read(long version) {
    ensureOpen();
    byte[] bytes = null;
    if (version >= 1) {
      try (Connection c = db.connection();
          PreparedStatement s = c.prepareStatement("SELECT body FROM " + db.table("versions") + " WHERE version = ?")) {
        s.setLong(1, version);
        try (ResultSet rs = s.executeQuery()) {
          bytes = rs.next() ? rs.getBytes(1) : null;
        }
      } catch (SQLException e) {
        throw db.failure("read registry version " + version, e);
      }
    }
    if (bytes == null) {
      OptionalLong newest = newestVersion();
      throw new NotFoundException("registry version " + version + " does not exist in " + where()
          + (newest.isPresent() ? "; the newest is " + newest.getAsLong() : "; it is empty"));
    }
    RegistrySnapshot snapshot = verified(version, bytes);
    verifiedInfos.putIfAbsent(version, snapshot.info());
    return snapshot;
  }

  @Override
  public VersionInfo commit(long expectedHead, Definitions definitions, String author, String message, Instant time) {
    ensureOpen();
    CommitAttempt attempt = CommitAttempt.of(expectedHead, definitions, author, message, time);
    long version = attempt.version();
    VersionInfo info = attempt.info();
    String versions = db.table("versions");
    int inserted = 0;
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement(
            "WITH inserted AS (INSERT INTO " + versions
                + " (version, parent, author, applied_at, message, content_hash, body)"
                + " SELECT ?, ?, ?, ?, ?, ?, ? WHERE ? = 0 OR EXISTS (SELECT 1 FROM " + versions + " WHERE version = ?)"
                + " ON CONFLICT (version) DO NOTHING RETURNING version)"
                + " SELECT pg_notify('" + VersionNotifications.CHANNEL + "', ?) FROM inserted")) {
      s.setLong(1, version);
      s.setLong(2, expectedHead);
      s.setString(3, info.author());
      s.setTimestamp(4, Timestamp.from(info.appliedAt()));
      s.setString(5, info.message());
      s.setString(6, info.contentHash());
      s.setBytes(7, attempt.bytes());
      s.setLong(8, expectedHead);
      s.setLong(9, expectedHead);
      s.setString(10, VersionNotifications.payload(db.settings().schema(), version));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          inserted++;
        }
      }
    } catch (SQLException e) {
      throw new QuiverException(db.failure("record registry version " + version, e).getMessage()
          + "; nothing was recorded, run apply again", e);
    }
    if (inserted == 0) {
      OptionalLong newest = newestVersion();
      throw newest.orElse(0) < expectedHead ? attempt.behind(where(), newest) : attempt.lost(this::info);
    }
    verifiedInfos.put(version, info);
    return info;
  }

  @Override
  public void saveDataset(DatasetRecord dataset) {
    ensureOpen();
    Objects.requireNonNull(dataset, "dataset");
    String name = dataset.name(); // valid: DatasetRecord checks it
    byte[] bytes = RegistryCodec.encodeDataset(dataset);
    int inserted;
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("INSERT INTO " + db.table("datasets")
            + " (name, author, created_at, body) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
      s.setString(1, name);
      s.setString(2, dataset.author());
      s.setTimestamp(3, Timestamp.from(dataset.createdAt()));
      s.setBytes(4, bytes);
      inserted = s.executeUpdate();
    } catch (SQLException e) {
      throw new QuiverException(db.failure("save dataset '" + name + "'", e).getMessage()
          + "; nothing was saved, save it again", e);
    }
    if (inserted == 0) {
      String what = "dataset '" + name + "' already exists";
      Optional<DatasetRecord> existing;
      try {
        existing = dataset(name);
      } catch (QuiverException unreadable) {
        existing = Optional.empty();
      }
      if (existing.isPresent()) {
        what += " (saved by " + existing.get().author() + " at " + existing.get().createdAt() + ")";
      }
      throw new QuiverException(what + "; choose another name");
    }
    verifiedDatasets.put(name, dataset);
  }

  @Override
  public List<DatasetRecord> datasets() {
    ensureOpen();
    List<DatasetRecord> found = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT name, body FROM " + db.table("datasets"));
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString(1);
        DatasetRecord cached = verifiedDatasets.get(name);
        found.add(cached != null ? cached : verifiedDataset(name, rs.getBytes(2)));
      }
    } catch (SQLException e) {
      throw db.failure("list the saved datasets", e);
    }
    found.sort(DatasetRecord.OLDEST_FIRST);
    return List.copyOf(found);
  }

  @Override
  public Optional<DatasetRecord> dataset(String name) {
    ensureOpen();
    Objects.requireNonNull(name, "name");
    if (!Names.isValid(name)) {
      return Optional.empty();
    }
    DatasetRecord cached = verifiedDatasets.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT body FROM " + db.table("datasets") + " WHERE name = ?")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(verifiedDataset(name, rs.getBytes(1))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw db.failure("read dataset '" + name + "'", e);
    }
  }

  @Override
  public Optional<Watermark> watermark(String view) {
    ensureOpen();
    Objects.requireNonNull(view, "view");
    checkView(view);
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT body FROM " + db.table("watermarks") + " WHERE view = ?")) {
      s.setString(1, view);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(decodeWatermark(view, rs.getBytes(1))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw db.failure("read the watermark of view " + view, e);
    }
  }

  @Override
  public List<Watermark> watermarks() {
    ensureOpen();
    List<Watermark> found = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT view, body FROM " + db.table("watermarks"));
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        found.add(decodeWatermark(rs.getString(1), rs.getBytes(2)));
      }
    } catch (SQLException e) {
      throw db.failure("list the watermarks", e);
    }
    found.sort(BY_VIEW);
    return List.copyOf(found);
  }

  @Override
  public Watermark advanceWatermark(Watermark proposed) {
    ensureOpen();
    Objects.requireNonNull(proposed, "proposed");
    String view = proposed.view();
    checkView(view);
    byte[] bytes = RegistryCodec.encodeWatermark(proposed);
    String table = db.table("watermarks");
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try {
        while (true) {
          Optional<Watermark> stored;
          try (PreparedStatement s = c.prepareStatement("SELECT body FROM " + table + " WHERE view = ? FOR UPDATE")) {
            s.setString(1, view);
            try (ResultSet rs = s.executeQuery()) {
              stored = rs.next() ? Optional.of(decodeWatermark(view, rs.getBytes(1))) : Optional.empty();
            }
          }
          if (stored.isPresent() && !Watermark.isAhead(proposed, stored.get())) {
            c.commit();
            return stored.get();
          }
          String write = stored.isPresent()
              ? "UPDATE " + table + " SET end_at = ?, registry_version = ?, body = ? WHERE view = ?"
              : "INSERT INTO " + table + " (end_at, registry_version, body, view) VALUES (?, ?, ?, ?)"
                  + " ON CONFLICT (view) DO NOTHING";
          try (PreparedStatement s = c.prepareStatement(write)) {
            s.setTimestamp(1, Timestamp.from(proposed.end()));
            s.setLong(2, proposed.registryVersion());
            s.setBytes(3, bytes);
            s.setString(4, view);
            if (s.executeUpdate() == 1) {
              c.commit();
              return proposed;
            }
          }
          // another writer inserted the first watermark meanwhile: lock its row and compare again
        }
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new QuiverException(db.failure("advance the watermark of view " + view, e).getMessage()
          + "; it is unchanged, and running the materialization again is safe", e);
    }
  }

  @Override
  public Optional<Watermark> resetWatermark(String view) {
    ensureOpen();
    Objects.requireNonNull(view, "view");
    checkView(view);
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("DELETE FROM " + db.table("watermarks") + " WHERE view = ? RETURNING body")) {
      s.setString(1, view);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(decodeWatermark(view, rs.getBytes(1))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new QuiverException(db.failure("remove the watermark of view " + view, e).getMessage()
          + "; it is unchanged", e);
    }
  }

  @Override
  public AuditLog audit() {
    ensureOpen();
    return audit;
  }

  /** The validation results in the {@code validation_results} table ({@link PostgresValidationLog}). */
  @Override
  public dev.quiver.core.quality.ValidationLog validationLog() {
    ensureOpen();
    return validation;
  }

  /** The skew results in the {@code skew_results} table ({@link PostgresSkewLog}). */
  @Override
  public dev.quiver.core.monitor.SkewLog skewLog() {
    ensureOpen();
    return skew;
  }

  @Override
  public TokenStore tokens() {
    ensureOpen();
    return tokens;
  }

  /**
   * Tells {@code listener} of every version recorded in this registry, by any process, within
   * milliseconds: a connection of this store (outside the pool) {@code LISTEN}s for the commits'
   * notifications, and reconnects when it fails, telling the listener once more when it is back.
   */
  @Override
  public Subscription onNewVersion(Runnable listener) {
    ensureOpen();
    return notifications.subscribe(listener);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      notifications.close();
      db.close();
    }
  }

  @Override
  public String toString() {
    return "PostgresRegistryStore[" + where() + "]";
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private String where() {
    return db.settings().displayUrl() + " (schema " + db.settings().schema() + ")";
  }

  private OptionalLong newestVersion() {
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT max(version) FROM " + db.table("versions"));
        ResultSet rs = s.executeQuery()) {
      rs.next();
      long v = rs.getLong(1);
      return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
    } catch (SQLException e) {
      throw db.failure("read the registry head", e);
    }
  }

  private VersionInfo info(long version) {
    VersionInfo cached = verifiedInfos.get(version);
    return cached != null ? cached : read(version).info();
  }

  private RegistrySnapshot verified(long version, byte[] bytes) {
    RegistrySnapshot snapshot;
    try {
      snapshot = RegistryCodec.decode(bytes);
    } catch (QuiverException e) {
      throw damaged("registry version " + version, e.getMessage(), e);
    }
    if (snapshot.info().version() != version) {
      throw damaged("registry version " + version, "it records version " + snapshot.info().version(), null);
    }
    String actual = RegistryCodec.contentHash(snapshot.definitions());
    if (!actual.equals(snapshot.info().contentHash())) {
      throw damaged("registry version " + version,
          "its definitions hash to " + actual + ", not the recorded " + snapshot.info().contentHash(), null);
    }
    return snapshot;
  }

  private DatasetRecord verifiedDataset(String name, byte[] bytes) {
    DatasetRecord dataset;
    try {
      dataset = RegistryCodec.decodeDataset(bytes);
    } catch (QuiverException e) {
      throw damaged("dataset '" + name + "'", e.getMessage(), e);
    }
    if (!dataset.name().equals(name)) {
      throw damaged("dataset '" + name + "'", "it records dataset '" + dataset.name() + "'", null);
    }
    verifiedDatasets.putIfAbsent(name, dataset);
    return dataset;
  }

  private Watermark decodeWatermark(String view, byte[] bytes) {
    Watermark w;
    try {
      w = RegistryCodec.decodeWatermark(bytes);
    } catch (QuiverException e) {
      throw damaged("the watermark of view " + view, e.getMessage(), e);
    }
    if (!w.view().equals(view)) {
      throw damaged("the watermark of view " + view, "it records view " + w.view(), null);
    }
    return w;
  }

  private QuiverException damaged(String what, String why, Throwable cause) {
    return new QuiverException(what + " is damaged in the registry at " + where() + ": " + why
        + "; restore the database from a backup or a copy of the registry", cause);
  }

  private static void checkView(String view) {
    if (!Watermark.isValidView(view)) {
      throw new QuiverException("'" + view + "' is not a view version: a watermark belongs to one version of a view,"
          + " written name@vN (user_txn@v2)");
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the PostgreSQL registry store at " + where() + " is closed");
    }
  }
}
