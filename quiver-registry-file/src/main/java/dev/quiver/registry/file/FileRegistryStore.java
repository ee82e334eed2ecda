package dev.quiver.registry.file;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * A registry in a directory: one immutable file per version, {@code versions/0000000042.json},
 * holding the {@link RegistryCodec} bytes of that version, and one per saved training set, {@code
 * datasets/<name>.json}, holding its {@link RegistryCodec#encodeDataset} bytes. Each view version's
 * materialization watermark is kept in {@code watermarks/<name>@v<N>.json} ({@link
 * RegistryCodec#encodeWatermark}), the one kind of file that is replaced: see {@link
 * WatermarkDirectory}, which moves it forward under a lock across threads and processes.
 *
 * <p><b>Commit protocol.</b> Both kinds of file are published by {@link PublishedDirectory}: written
 * to a temporary file, forced to disk, and hard-linked to the final name, which is atomic and
 * exclusive. Of several writers racing for version N, in this process or others, exactly one wins;
 * the others get a {@link RegistryConflictException}. Of several saving a dataset of one name,
 * exactly one wins; the others get a {@link QuiverException} naming the winner. A crash at any point
 * leaves either the old state or the complete new file, plus perhaps a temporary file, which is
 * ignored and removed once it is a minute old. Readers never lock and only ever see complete files.
 *
 * <p>The audit log is appended to {@code audit/events.jsonl} ({@link FileAuditLog}).
 *
 * <p>Versions and datasets are immutable, so their records are cached after the first read;
 * watermarks are read from their files every time.
 * API tokens (hashed) live in {@code tokens/}, see {@link TokenDirectory}.
 * Thread-safe.
 */
final class FileRegistryStore implements RegistryStore {
  private static final Pattern VERSION_FILE = Pattern.compile("\\d{10,18}\\.json");
  private static final Pattern DATASET_FILE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}\\.json");
  private static final String JSON = ".json";
  /** A temporary file this old belongs to a crashed or stalled writer and may be removed. */
  static final Duration STALE_TEMP_AGE = PublishedDirectory.STALE_TEMP_AGE;

  private final Path root;
  private final PublishedDirectory versions;
  private final PublishedDirectory datasets;
  private final WatermarkDirectory watermarks;
  private final TokenDirectory tokens;
  private final FileAuditLog audit;
  private final FileValidationLog validation;
  private final FileSkewLog skew;
  private final ConcurrentMap<Long, VersionInfo> verifiedInfos = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, DatasetRecord> verifiedDatasets = new ConcurrentHashMap<>();
  private volatile boolean closed;

  FileRegistryStore(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    this.versions = new PublishedDirectory(this.root, this.root.resolve("versions"));
    this.datasets = new PublishedDirectory(this.root, this.root.resolve("datasets"));
    this.watermarks = new WatermarkDirectory(this.root, this.root.resolve("watermarks"));
    this.tokens = new TokenDirectory(this.root, this.root.resolve("tokens"));
    this.audit = new FileAuditLog(this.root, this.root.resolve("audit"));
    this.validation = new FileValidationLog(this.root, this.root.resolve("validation"));
    this.skew = new FileSkewLog(this.root, this.root.resolve("monitoring"));
  }

  /** The audit log in {@code audit/events.jsonl} ({@link FileAuditLog}). */
  @Override
  public dev.quiver.core.security.AuditLog audit() {
    ensureOpen();
    return audit;
  }

  /** The validation results in {@code validation/results.jsonl} ({@link FileValidationLog}). */
  @Override
  public dev.quiver.core.quality.ValidationLog validationLog() {
    ensureOpen();
    return validation;
  }

  /** The skew results in {@code monitoring/skew.jsonl} ({@link FileSkewLog}). */
  @Override
  public dev.quiver.core.monitor.SkewLog skewLog() {
    ensureOpen();
    return skew;
  }

  /** The directory holding the registry. */
  Path root() {
    return root;
  }

  /** The file a version is published as. */
  Path versionFile(long version) {
    return versions.file(String.format("%010d.json", version));
  }

  /** The file a dataset is published as. */
  Path datasetFile(String name) {
    return datasets.file(name + JSON);
  }

  /** The file a view version's watermark is kept in. */
  Path watermarkFile(String view) {
    return watermarks.file(view);
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
    List<Long> present = scanVersions();
    List<VersionInfo> log = new ArrayList<>(present.size());
    for (int i = present.size() - 1; i >= 0; i--) {
      log.add(info(present.get(i)));
    }
    return List.copyOf(log);
  }

  @Override
  public RegistrySnapshot read(long version) {
    ensureOpen();
    Path file = versionFile(version);
    byte[] bytes;
    try {
      bytes = version < 1 ? null : Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      bytes = null;
    } catch (IOException e) {
      throw new QuiverException("cannot read registry version " + version + " from " + file + ": " + e, e);
    }
    if (bytes == null) {
      OptionalLong newest = newestVersion();
      throw new NotFoundException(
          "registry version "
              + version
              + " does not exist in "
              + root
              + (newest.isPresent() ? "; the newest is " + newest.getAsLong() : "; it is empty"));
    }
    RegistrySnapshot snapshot = verified(version, file, bytes);
    verifiedInfos.putIfAbsent(version, snapshot.info());
    return snapshot;
  }

  @Override
  public VersionInfo commit(
      long expectedHead, Definitions definitions, String author, String message, Instant time) {
    ensureOpen();
    CommitAttempt attempt = CommitAttempt.of(expectedHead, definitions, author, message, time);
    Path target = versionFile(attempt.version());
    checkPlannedAgainstHead(attempt, target);
    boolean published;
    try {
      published = versions.publish(target.getFileName().toString(), attempt.bytes());
    } catch (IOException e) {
      throw new QuiverException(
          "cannot record registry version " + attempt.version() + " in " + versions.dir() + ": " + e
              + "; nothing was recorded, run apply again",
          e);
    }
    if (!published) {
      throw attempt.lost(this::info);
    }
    verifiedInfos.put(attempt.version(), attempt.info());
    return attempt.info();
  }

  @Override
  public void saveDataset(DatasetRecord dataset) {
    ensureOpen();
    Objects.requireNonNull(dataset, "dataset");
    String name = dataset.name(); // valid: DatasetRecord checks it
    byte[] bytes = RegistryCodec.encodeDataset(dataset);
    if (Files.exists(datasetFile(name))) {
      throw datasetExists(name);
    }
    boolean published;
    try {
      published = datasets.publish(name + JSON, bytes);
    } catch (IOException e) {
      throw new QuiverException(
          "cannot save dataset '" + name + "' in " + datasets.dir() + ": " + e
              + "; nothing was saved, save it again",
          e);
    }
    if (!published) {
      throw datasetExists(name);
    }
    verifiedDatasets.put(name, dataset);
  }

  /** Every dataset, by creation time then name; a damaged file fails the whole listing. */
  @Override
  public List<DatasetRecord> datasets() {
    ensureOpen();
    List<DatasetRecord> found = new ArrayList<>();
    for (String file : datasets.list(DATASET_FILE)) {
      storedDataset(file.substring(0, file.length() - JSON.length())).ifPresent(found::add);
    }
    found.sort(DatasetRecord.OLDEST_FIRST);
    return List.copyOf(found);
  }

  /** Empty for a name that is not valid, since no dataset can have it. */
  @Override
  public Optional<DatasetRecord> dataset(String name) {
    ensureOpen();
    Objects.requireNonNull(name, "name");
    if (!Names.isValid(name)) {
      return Optional.empty();
    }
    // On a case-insensitive file system, the file of 'Train' holds 'train': another dataset.
    return storedDataset(name).filter(d -> d.name().equals(name));
  }

  @Override
  public Optional<Watermark> watermark(String view) {
    ensureOpen();
    Objects.requireNonNull(view, "view");
    return watermarks.read(view);
  }

  @Override
  public List<Watermark> watermarks() {
    ensureOpen();
    return watermarks.list();
  }

  @Override
  public Watermark advanceWatermark(Watermark proposed) {
    ensureOpen();
    Objects.requireNonNull(proposed, "proposed");
    return watermarks.advance(proposed);
  }

  @Override
  public Optional<Watermark> resetWatermark(String view) {
    ensureOpen();
    Objects.requireNonNull(view, "view");
    return watermarks.reset(view);
  }

  /** The API tokens, in {@code tokens/} ({@link TokenDirectory}: published like versions, never cached). */
  @Override
  public dev.quiver.core.security.TokenStore tokens() {
    ensureOpen();
    return tokens;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "FileRegistryStore[" + root + "]";
  }

  // ---- commit helpers ---------------------------------------------------------------------------

  /**
   * Fails unless the attempt's expected head is the head: that version exists (so, versions never
   * being removed, every earlier one does) and the next does not. The link that publishes the next
   * version re-checks the second half atomically.
   */
  private void checkPlannedAgainstHead(CommitAttempt attempt, Path next) {
    if (Files.exists(next)) {
      throw attempt.lost(this::info);
    }
    long expectedHead = attempt.expectedHead();
    if (expectedHead > 0 && !Files.exists(versionFile(expectedHead))) {
      throw attempt.behind(root.toString(), newestVersion());
    }
  }

  /** The refusal of a second dataset of one name, saying who saved the first and when. */
  private QuiverException datasetExists(String name) {
    Optional<DatasetRecord> existing;
    try {
      existing = storedDataset(name);
    } catch (QuiverException unreadable) {
      existing = Optional.empty();
    }
    String what = "dataset '" + name + "' already exists";
    if (existing.isPresent()) {
      DatasetRecord d = existing.get();
      String saved = "(saved by " + d.author() + " at " + d.createdAt() + ")";
      what =
          d.name().equals(name)
              ? what + " " + saved
              : "dataset '" + name + "' cannot be told apart from dataset '" + d.name() + "' "
                  + saved + " on the case-insensitive file system of " + root;
    }
    return new QuiverException(what + "; choose another name");
  }

  // ---- read helpers -----------------------------------------------------------------------------

  private VersionInfo info(long version) {
    VersionInfo cached = verifiedInfos.get(version);
    return cached != null ? cached : read(version).info();
  }

  private RegistrySnapshot verified(long version, Path file, byte[] bytes) {
    RegistrySnapshot snapshot;
    try {
      snapshot = RegistryCodec.decode(bytes);
    } catch (QuiverException e) {
      throw damaged(version, file, e.getMessage(), e);
    }
    if (snapshot.info().version() != version) {
      throw damaged(version, file, "it records version " + snapshot.info().version(), null);
    }
    String actual = RegistryCodec.contentHash(snapshot.definitions());
    if (!actual.equals(snapshot.info().contentHash())) {
      throw damaged(
          version,
          file,
          "its definitions hash to " + actual + ", not the recorded " + snapshot.info().contentHash(),
          null);
    }
    return snapshot;
  }

  private static QuiverException damaged(long version, Path file, String why, Throwable cause) {
    return new QuiverException(
        "registry version "
            + version
            + " is damaged ("
            + file
            + "): "
            + why
            + "; restore the file from a backup or a copy of the registry",
        cause);
  }

  private OptionalLong newestVersion() {
    List<Long> present = scanVersions();
    return present.isEmpty() ? OptionalLong.empty() : OptionalLong.of(present.getLast());
  }

  /** The published versions, ascending; removes stale temporary files on the way. */
  private List<Long> scanVersions() {
    List<Long> found = new ArrayList<>();
    for (String file : versions.list(VERSION_FILE)) {
      found.add(Long.parseLong(file.substring(0, file.length() - JSON.length())));
    }
    found.sort(null);
    return found;
  }

  /**
   * The record in a dataset's file, whatever name it holds (on a case-insensitive file system, a
   * name differing in case), or empty when there is no file. Fails when the file is damaged.
   */
  private Optional<DatasetRecord> storedDataset(String name) {
    DatasetRecord cached = verifiedDatasets.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    Path file = datasetFile(name);
    byte[] bytes = DurableFiles.readIfPresent(file, "dataset '" + name + "'").orElse(null);
    if (bytes == null) {
      return Optional.empty();
    }
    DatasetRecord dataset;
    try {
      dataset = RegistryCodec.decodeDataset(bytes);
    } catch (QuiverException e) {
      throw damagedDataset(name, file, e.getMessage(), e);
    }
    if (!dataset.name().equalsIgnoreCase(name)) {
      throw damagedDataset(name, file, "it records dataset '" + dataset.name() + "'", null);
    }
    if (dataset.name().equals(name)) {
      verifiedDatasets.putIfAbsent(name, dataset);
    }
    return Optional.of(dataset);
  }

  private static QuiverException damagedDataset(String name, Path file, String why, Throwable cause) {
    return new QuiverException(
        "dataset '"
            + name
            + "' is damaged ("
            + file
            + "): "
            + why
            + "; restore the file from a backup or a copy of the registry",
        cause);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the file registry store at " + root + " is closed");
    }
  }
}
