package dev.quiver.core.repo;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlanner;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.spi.SourceSchemaReader;
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
        .filter(s -> s instanceof FileSource).map(s -> (FileSource) s).toList();
    var columns = engine.describe(request.query(), tables, repoRoot);
    PointInTimePlan plan = PointInTimePlanner.plan(snapshot.definitions(), snapshot.info().version(), request, columns,
        transforms);
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
      Set<String> present = new HashSet<>();
      schemas.columns(source, repoRoot).forEach(c -> present.add(c.name().toLowerCase(Locale.ROOT)));
      for (var r : e.getValue().entrySet()) {
        if (!present.contains(r.getKey())) {
          throw new QuiverException("source '" + source.name() + "' (" + source.path() + ") has no column '" + r.getValue().column()
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
    if (saveAs != null && !dev.quiver.core.Names.isValid(saveAs)) {
      throw new QuiverException("'" + saveAs + "' is not a valid dataset name: " + dev.quiver.core.Names.rule());
    }
    if (saveAs != null && registry.dataset(saveAs).isPresent()) {
      throw new QuiverException("dataset '" + saveAs + "' already exists; choose another name (quiver datasets list)");
    }
    RegistrySnapshot snapshot = head();
    PointInTimePlan plan = plan(request, snapshot);
    FileFormat format = format(out);
    long rows = engine.write(plan, repoRoot, out, format, progress);
    DatasetRecord record = null;
    if (saveAs != null) {
      record = new DatasetRecord(saveAs, snapshot.info().version(), plan.outputs().stream().map(o -> o.ref()).toList(),
          request.service() == null ? null : snapshot.definitions().service(request.service(), request.serviceVersion())
              .map(s -> s.qualifiedName()).orElse(request.service()),
          request.fullFeatureNames(), plan.timestampColumn(), absolute(request.query()),
          queryFingerprint(request.query()), sourceFingerprints(plan), out.toAbsolutePath().toString(), format,
          Fingerprints.of(out), rows, author, clock.instant());
      registry.saveDataset(record);
    }
    return new TrainingSet(out, rows, plan, record);
  }

  Reproduction reproduce(String name, Path out, DoubleConsumer progress) {
    DatasetRecord d = registry.dataset(name).orElseThrow(() -> new NotFoundException(
        "no dataset '" + name + "' in the registry (quiver datasets list)"));
    FileFormat asked = FileFormat.fromPath(out.toString()).orElse(null);
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
    HistoricalRequest request = new HistoricalRequest(d.query(), d.features(), null, 0, d.fullFeatureNames(), d.timestampColumn());
    PointInTimePlan plan = plan(request, snapshot);
    Map<String, String> sources = sourceFingerprints(plan);
    if (!sources.equals(d.sourceFingerprints())) {
      throw new QuiverException("dataset '" + name + "': source files changed since it was saved; changed: "
          + String.join(", ", changed(d.sourceFingerprints(), sources)));
    }
    long rows = engine.write(plan, repoRoot, out, d.outputFormat(), progress);
    String fingerprint = Fingerprints.of(out);
    return new Reproduction(d, out, rows, fingerprint, fingerprint.equals(d.outputFingerprint()));
  }

  private static List<String> changed(Map<String, String> before, Map<String, String> now) {
    java.util.Set<String> all = new java.util.TreeSet<>(before.keySet());
    all.addAll(now.keySet());
    return all.stream().filter(f -> !java.util.Objects.equals(before.get(f), now.get(f))).toList();
  }

  /** The query as recorded: file paths made absolute so a reproduction works from any folder. */
  private static QueryInput absolute(QueryInput query) {
    return switch (query) {
      case QueryInput.Files f -> new QueryInput.Files(Path.of(f.path()).toAbsolutePath().normalize().toString(), f.format());
      case QueryInput.Sql s -> s;
    };
  }

  private static String queryFingerprint(QueryInput query) {
    return switch (query) {
      case QueryInput.Files f -> {
        Map<String, String> files = Fingerprints.ofFiles(f.path(), Path.of(""));
        if (files.isEmpty()) {
          throw new QuiverException("no file matches the query rows' path " + f.path());
        }
        yield Fingerprints.combined(files);
      }
      case QueryInput.Sql s -> Fingerprints.of(s.sql());
    };
  }

  /** Every source file the plan reads (and, for a SQL query, every table it may read). */
  private Map<String, String> sourceFingerprints(PointInTimePlan plan) {
    Map<String, String> out = new LinkedHashMap<>();
    List<FileSource> read = plan.query() instanceof QueryInput.Sql ? plan.tables()
        : plan.joins().stream().map(PointInTimePlan.ViewJoin::source).distinct().toList();
    for (FileSource s : read) {
      out.putAll(Fingerprints.ofFiles(s.path(), repoRoot));
    }
    return out;
  }

  static FileFormat format(Path out) {
    return FileFormat.fromPath(out.toString()).orElseThrow(() -> new QuiverException(
        "cannot tell the output format of " + out + " from its name; end it in .parquet or .csv"));
  }

}
