package dev.quiver.core.repo;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Source;
import dev.quiver.core.offline.DatasetDirectory;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlanner;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.spi.SourceFiles;
import dev.quiver.core.spi.SourceSchemaReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.DoubleConsumer;

/** Plans, runs, saves and reproduces training sets for a {@link FeatureRepo}. */
final class TrainingSets {
  private final Path repoRoot;
  private final RegistryStore registry;
  private final OfflineEngine engine;
  private final SourceSchemaReader schemas;
  private final Clock clock;
  private final Supplier<RegistrySnapshot> head;
  private final ClassLoader transforms;

  /**
   * @param head the registry's latest version (fails when the registry is empty)
   * @param transforms loads custom transforms
   */
  TrainingSets(Path repoRoot, RegistryStore registry, OfflineEngine engine, SourceSchemaReader schemas, Clock clock,
      Supplier<RegistrySnapshot> head, ClassLoader transforms) {
    this.repoRoot = repoRoot;
    this.registry = registry;
    this.engine = engine;
    this.schemas = schemas;
    this.clock = clock;
    this.head = head;
    this.transforms = transforms;
  }

  PointInTimePlan plan(HistoricalRequest request, RegistrySnapshot snapshot) {
    List<FileSource> tables = snapshot.definitions().sources().stream()
        .map(Source::batch).toList();
    if (request.query() instanceof QueryInput.Sql sql) {
      tables = engine.tablesRead(sql, tables); // a SQL query opens (and depends on) only the sources it names
    }
    var columns = engine.describe(request.query(), tables, repoRoot);
    PointInTimePlan all = PointInTimePlanner.plan(snapshot.definitions(), snapshot.info().version(), request, columns,
        transforms);
    PointInTimePlan plan = new PointInTimePlan(all.query(), all.queryColumns(), all.timestampColumn(), all.joins(), all.outputs(),
        all.registryVersion(), tables, all.derivation());
    requireSourceColumns(plan);
    return plan;
  }

  /**
   * Every source column the plan reads is still in the source's files (their schemas, read cheaply):
   * files rewritten since the definitions were applied are reported here, before any data is read,
   * rather than by the engine halfway through.
   */
  private void requireSourceColumns(PointInTimePlan plan) {
    record Read(String column, String view) {}
    Map<FileSource, Map<String, Read>> needed = new LinkedHashMap<>(); // per source, by lower-case column
    for (PointInTimePlan.ViewJoin j : plan.joins()) {
      Map<String, Read> reads = needed.computeIfAbsent(j.source(), s -> new LinkedHashMap<>());
      List<String> columns = new ArrayList<>();
      columns.add(j.source().rawColumn(j.source().timestampColumn()));
      if (j.source().createdColumn() != null) {
        columns.add(j.source().rawColumn(j.source().createdColumn()));
      }
      j.keys().forEach(k -> columns.add(k.sourceColumn()));
      for (PointInTimePlan.PlannedFeature f : j.features()) {
        columns.add(switch (f) {
          case PointInTimePlan.LatestValue v -> v.sourceColumn();
          case PointInTimePlan.WindowAggregate w -> w.sourceColumn(); // null: count of rows
        });
      }
      columns.stream().filter(Objects::nonNull).forEach(c -> reads.putIfAbsent(c.toLowerCase(Locale.ROOT), new Read(c, j.view())));
    }
    for (var e : needed.entrySet()) {
      FileSource source = e.getKey();
      if (!source.isLocal()) {
        continue; // no files here: the engine that reads it checks its columns
      }
      Set<String> present = new HashSet<>();
      schemas.columns(source, repoRoot).forEach(c -> present.add(c.name().toLowerCase(Locale.ROOT)));
      for (var r : e.getValue().entrySet()) {
        if (!present.contains(r.getKey())) {
          throw new SourceDataException(source.name(), source.path(),
              "source '" + source.name() + "' (" + source.path() + ") has no column '" + r.getValue().column()
              + "', which view " + r.getValue().view() + " reads: its files changed since registry version "
              + plan.registryVersion() + " was applied; run 'quiver plan' to see what differs");
        }
      }
    }
  }

  RegistrySnapshot head() {
    return head.get();
  }

  HistoricalRows rows(HistoricalRequest request) {
    return engine.rows(plan(request, head()), repoRoot);
  }

  TrainingSet write(HistoricalRequest request, Path out, DoubleConsumer progress, String saveAs, String author) {
    if (saveAs != null) {
      DatasetRecord.checkName(saveAs); // before the work, not when the record is made after it
    }
    if (saveAs != null && registry.dataset(saveAs).isPresent()) {
      throw new QuiverException("dataset '" + saveAs + "' already exists; choose another name (quiver datasets list)");
    }
    boolean directory = DatasetDirectory.isTarget(out);
    if (directory) {
      DatasetDirectory.checkTarget(out); // before the work
    }
    RegistrySnapshot snapshot = head();
    PointInTimePlan plan = engine.pinned(plan(request, snapshot), repoRoot);
    FileFormat format = directory ? FileFormat.PARQUET : format(out);
    long rows = directory ? engine.writeDataset(plan, repoRoot, out, progress) : engine.write(plan, repoRoot, out, format, progress);
    DatasetRecord record = null;
    if (saveAs != null) {
      QueryInput query = recorded(request.query());
      record = new DatasetRecord(saveAs, snapshot.info().version(), plan.outputs().stream().map(o -> o.ref()).toList(),
          request.service() == null ? null : snapshot.definitions().service(request.service(), request.serviceVersion())
              .map(s -> s.qualifiedName()).orElse(request.service()),
          request.fullFeatureNames(), plan.timestampColumn(), query,
          queryFingerprint(query), sourceFingerprints(plan), SourceFiles.display(out, repoRoot) + (directory ? "/" : ""), format,
          outputFingerprint(out, directory), rows, author, clock.instant());
      registry.saveDataset(record);
    }
    return new TrainingSet(out, rows, plan, record);
  }

  Reproduction reproduce(String name, Path out, DoubleConsumer progress) {
    DatasetRecord d = registry.dataset(name).orElseThrow(() -> new NotFoundException(
        "no dataset '" + name + "' in the registry (quiver datasets list)"));
    boolean directory = d.output().endsWith("/");
    if (directory != DatasetDirectory.isTarget(out)) {
      throw new QuiverException("dataset '" + name + "' was saved as " + (directory ? "a training set directory" : "one file")
          + ", so its reproduction is too, to compare bytes; give --out " + (directory ? "a directory path without a .parquet or"
          + " .csv extension" : "a ." + d.outputFormat().spelling() + " path") + ", not " + out);
    }
    if (directory) {
      DatasetDirectory.checkTarget(out);
    }
    FileFormat asked = directory ? FileFormat.PARQUET : FileFormat.fromPath(out.toString()).orElse(null);
    if (asked != d.outputFormat()) {
      throw new QuiverException("dataset '" + name + "' was saved as " + d.outputFormat().name().toLowerCase(Locale.ROOT)
          + ", so its reproduction is too, to compare bytes; give --out a ." + d.outputFormat().name().toLowerCase(Locale.ROOT)
          + " path, not " + out);
    }
    String query = queryFingerprint(d.query());
    if (!query.equals(d.queryFingerprint())) {
      throw new QuiverException("dataset '" + name + "': its query rows (" + d.query().describe() + ") changed since it was saved ("
          + d.queryFingerprint() + ", now " + query + "); it cannot be reproduced from them");
    }
    RegistrySnapshot snapshot = registry.read(d.registryVersion());
    HistoricalRequest request = new HistoricalRequest(inRepo(d.query()), d.features(), null, 0, d.fullFeatureNames(),
        d.timestampColumn());
    Map<String, String> saved = inRepo(d.sourceFingerprints());
    PointInTimePlan plan = plan(request, snapshot).withSources(s -> pinnedAsSaved(s, saved));
    Map<String, String> sources = sourceFingerprints(plan);
    if (!sources.equals(saved)) {
      throw new QuiverException("dataset '" + name + "': source files changed since it was saved; changed: "
          + String.join(", ", changed(saved, sources)));
    }
    long rows = directory ? engine.writeDataset(plan, repoRoot, out, progress) : engine.write(plan, repoRoot, out, d.outputFormat(), progress);
    String fingerprint = outputFingerprint(out, directory);
    return new Reproduction(d, out, rows, fingerprint, fingerprint.equals(d.outputFingerprint()));
  }

  /** Checks that a saved dataset's output, where it was written, still has the fingerprint recorded. */
  Reproduction verify(String name) {
    DatasetRecord d = registry.dataset(name).orElseThrow(() -> new NotFoundException(
        "no dataset '" + name + "' in the registry (quiver datasets list)"));
    boolean directory = d.output().endsWith("/");
    Path out = repoRoot.toAbsolutePath().resolve(directory ? d.output().substring(0, d.output().length() - 1) : d.output());
    if (directory ? !Files.isDirectory(out) : !Files.isRegularFile(out)) {
      throw new NotFoundException("dataset '" + name + "': its output " + d.output() + " is gone; write it again with"
          + " quiver datasets reproduce " + name + " --out " + d.output());
    }
    String fingerprint = outputFingerprint(out, directory);
    return new Reproduction(d, out, d.rows(), fingerprint, fingerprint.equals(d.outputFingerprint()));
  }

  /**
   * A training set's fingerprint: a file's bytes; for a directory, its part files' names and bytes in
   * name order (so a reproduction matches when the same engine with the same settings splits the rows
   * the same way).
   */
  static String outputFingerprint(Path out, boolean directory) {
    if (!directory) {
      return Fingerprints.of(out);
    }
    Map<String, String> parts = new LinkedHashMap<>();
    for (Path part : DatasetDirectory.parts(out)) {
      parts.put(part.getFileName().toString(), Fingerprints.of(part));
    }
    return Fingerprints.of(String.join("\n", parts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
  }

  private static List<String> changed(Map<String, String> before, Map<String, String> now) {
    java.util.Set<String> all = new java.util.TreeSet<>(before.keySet());
    all.addAll(now.keySet());
    return all.stream().filter(f -> !java.util.Objects.equals(before.get(f), now.get(f))).toList();
  }

  /**
   * The query as a dataset records it: a file path (relative to the working directory as given)
   * relative to the repo when inside it, so a reproduction works from any folder and in any clone.
   */
  private QueryInput recorded(QueryInput query) {
    return switch (query) {
      case QueryInput.Files f -> new QueryInput.Files(SourceFiles.display(Path.of(f.path()), repoRoot), f.format());
      case QueryInput.Sql s -> s;
    };
  }

  /** A recorded query as the engine reads it: a repo-relative file path resolved against this repo. */
  private QueryInput inRepo(QueryInput recorded) {
    return switch (recorded) {
      case QueryInput.Files f -> new QueryInput.Files(repoRoot.toAbsolutePath().resolve(f.path()).toString(), f.format());
      case QueryInput.Sql s -> s;
    };
  }

  /**
   * Recorded fingerprints keyed as this repo keys them now: absolute paths inside the repo (as
   * dataset format 1 recorded them) become repo-relative.
   */
  private Map<String, String> inRepo(Map<String, String> recorded) {
    Map<String, String> out = new LinkedHashMap<>();
    recorded.forEach((file, hash) -> out.put(Path.of(file).isAbsolute() ? SourceFiles.display(Path.of(file), repoRoot) : file, hash));
    return out;
  }

  /**
   * The fingerprint of a recorded query: its SQL text, or its files' bytes (several files: with
   * their paths, repo-relative when the recorded path is, absolute as format 1 recorded them).
   */
  private String queryFingerprint(QueryInput recorded) {
    return switch (recorded) {
      case QueryInput.Files f -> {
        boolean relative = !Path.of(f.path()).isAbsolute();
        Map<String, String> files = new LinkedHashMap<>();
        for (Path file : SourceFiles.resolve("query rows", f.path(), f.format(), repoRoot)) {
          files.put(relative ? SourceFiles.display(file, repoRoot) : file.toString(), Fingerprints.of(file));
        }
        yield Fingerprints.combined(files);
      }
      case QueryInput.Sql s -> Fingerprints.of(s.sql());
    };
  }

  /**
   * Every source file the plan reads (and, for a SQL query, every table it names), repo-relative,
   * expanded by {@link SourceFiles} as the engine expands them.
   */
  private Map<String, String> sourceFingerprints(PointInTimePlan plan) {
    Map<String, String> out = new LinkedHashMap<>();
    Set<FileSource> read = new java.util.LinkedHashSet<>();
    if (plan.query() instanceof QueryInput.Sql) {
      read.addAll(plan.tables());
    }
    plan.joins().forEach(j -> read.add(j.source()));
    for (FileSource s : read) {
      if (s.isIceberg() && s.table().iceberg().snapshot() != null) {
        var t = s.table().iceberg();
        out.put(s.location(), SNAPSHOT + t.snapshot() + (t.schema() == null ? "" : SCHEMA + t.schema()));
        continue;
      }
      if (!s.isLocal()) {
        continue; // an unpinned Iceberg table or files at a URI: nothing here to fingerprint
      }
      for (Path file : SourceFiles.resolve(s, repoRoot)) {
        out.put(SourceFiles.display(file, repoRoot), Fingerprints.of(file));
      }
    }
    return out;
  }

  /** How a saved dataset records the Iceberg snapshot a source was read at, and the schema it was read with. */
  static final String SNAPSHOT = "snapshot ";
  static final String SCHEMA = ", schema ";

  /** An Iceberg source pinned to the snapshot a saved dataset read it at; any other source as it is. */
  private static FileSource pinnedAsSaved(FileSource s, Map<String, String> saved) {
    String recorded = s.isIceberg() ? saved.get(s.location()) : null;
    if (recorded == null || !recorded.startsWith(SNAPSHOT)) {
      return s;
    }
    String[] parts = recorded.substring(SNAPSHOT.length()).split(SCHEMA, 2);
    long id;
    Integer schema;
    try {
      id = Long.parseLong(parts[0]);
      schema = parts.length == 2 ? Integer.valueOf(parts[1]) : null;
    } catch (NumberFormatException e) {
      return s; // not one this code wrote: compared, and reported, as a changed source
    }
    return s.withTable(s.table().withIceberg(s.table().iceberg().atSnapshot(id, schema)));
  }

  static FileFormat format(Path out) {
    return FileFormat.fromPath(out.toString()).orElseThrow(() -> new QuiverException(
        "cannot tell the output format of " + out + " from its name; end it in .parquet or .csv"));
  }

}
