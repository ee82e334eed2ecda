package dev.quiver.core.online;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.KeyBinding;
import dev.quiver.core.offline.PointInTimePlan.LatestValue;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.Watermark;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Computes the latest feature rows from the offline store into the online store (DESIGN §3,
 * materialization). Per online view version: the offline engine streams the latest row per entity
 * with {@code start <= event_ts <= end}; a reader thread encodes them into batches while the calling
 * thread writes each batch with {@link OnlineStore#multiPutIfNewer}, so memory holds a few batches
 * whatever the data size. Writes are newest-wins and therefore idempotent: a run that crashed midway
 * is simply run again and reaches the state an uninterrupted run would have. The view's watermark
 * moves to {@code end} only after all its rows are written.
 *
 * <p>Column features are materialized; aggregate and derived features are computed online by later
 * releases and are skipped here. Not thread-safe; one run at a time per instance.
 */
public final class Materializer {
  /** Rows per write batch (system property {@code quiver.materialize.batch}, default 10,000). */
  public static final int BATCH = Integer.getInteger("quiver.materialize.batch", 10_000);
  private static final Instant BEGINNING = Instant.parse("0001-01-01T00:00:00Z");

  private final RegistrySnapshot snapshot;
  private final OfflineEngine engine;
  private final OnlineStore store;
  private final RegistryStore registry;
  private final Path repoRoot;
  private final Clock clock;
  private final String author;

  public Materializer(RegistrySnapshot snapshot, OfflineEngine engine, OnlineStore store, RegistryStore registry,
      Path repoRoot, Clock clock, String author) {
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.engine = engine;
    this.store = store;
    this.registry = registry;
    this.repoRoot = repoRoot;
    this.clock = clock;
    this.author = author;
  }

  /** Progress of a run: called from the writing thread after each batch and when a view is done. */
  public interface Listener {
    void batchWritten(String view, long rowsRead, long rowsWritten);

    default void viewDone(ViewResult result) {}
  }

  /** What one view's materialization did. */
  public record ViewResult(String view, Instant start, Instant end, long rowsRead, long rowsWritten, Duration took) {}

  /**
   * Materializes rows with {@code start <= event_ts <= end}.
   *
   * @param views view names (all their versions) or {@code name@vN}; empty for every online view
   */
  public List<ViewResult> materialize(List<String> views, Instant start, Instant end, Listener listener) {
    if (start.isAfter(end)) {
      throw new QuiverException("materialize: START " + start + " is after END " + end);
    }
    List<ViewResult> out = new ArrayList<>();
    for (FeatureView v : select(views)) {
      out.add(materialize(v, start, end, listener));
    }
    return out;
  }

  /**
   * Materializes each view from its watermark (or, the first time, from {@code end - ttl}, or from the
   * beginning when the view has no TTL) to {@code end}.
   */
  public List<ViewResult> materializeIncremental(List<String> views, Instant end, Listener listener) {
    List<ViewResult> out = new ArrayList<>();
    for (FeatureView v : select(views)) {
      Instant start = registry.watermark(v.qualifiedName()).map(Watermark::end)
          .orElse(v.ttl() == null ? BEGINNING : end.minus(v.ttl()));
      if (start.isAfter(end)) {
        out.add(new ViewResult(v.qualifiedName(), start, end, 0, 0, Duration.ZERO));
        continue;
      }
      out.add(materialize(v, start, end, listener));
    }
    return out;
  }

  /** The online view versions to materialize. */
  List<FeatureView> select(List<String> names) {
    Definitions defs = snapshot.definitions();
    List<FeatureView> online = defs.views().stream().filter(FeatureView::online).toList();
    if (names.isEmpty()) {
      return online;
    }
    List<FeatureView> out = new ArrayList<>();
    for (String n : names) {
      List<FeatureView> matched = online.stream().filter(v -> v.name().equals(n) || v.qualifiedName().equals(n)).toList();
      if (matched.isEmpty()) {
        boolean offlineOnly = defs.views().stream().anyMatch(v -> v.name().equals(n) || v.qualifiedName().equals(n));
        if (offlineOnly) {
          throw new dev.quiver.core.InvalidRequestException("view '" + n + "' is offline only (online: false); nothing to materialize");
        }
        throw new dev.quiver.core.NotFoundException("no feature view '" + n + "' in the registry"
            + dev.quiver.core.Names.didYouMean(n, defs.views().stream().map(FeatureView::name).distinct().toList()));
      }
      out.addAll(matched);
    }
    return out;
  }

  private ViewResult materialize(FeatureView view, Instant start, Instant end, Listener listener) {
    long started = System.nanoTime();
    LatestRowsPlan plan = plan(snapshot.definitions(), view, start, end);
    String table = OnlineTables.of(snapshot.definitions().project(), view);
    store.createTable(table);
    List<String> names = plan.features().stream().map(LatestValue::outputName).toList();
    List<ValueType> types = plan.features().stream().map(LatestValue::type).toList();
    List<ScalarType> keyTypes = plan.keys().stream().map(KeyBinding::type).toList();
    int keyCount = keyTypes.size();
    BlockingQueue<List<OnlineStore.Entry>> queue = new ArrayBlockingQueue<>(4);
    List<OnlineStore.Entry> poison = List.of();
    Throwable[] readerFailure = new Throwable[1];
    Thread reader = Thread.ofPlatform().name("quiver-materialize-" + view.qualifiedName()).start(() -> {
      try (HistoricalRows rows = engine.latestRows(plan, repoRoot)) {
        List<OnlineStore.Entry> batch = new ArrayList<>(BATCH);
        while (rows.hasNext()) {
          Object[] r = rows.next();
          byte[] key = KeyEncoding.encode(keyTypes, java.util.Arrays.asList(r).subList(0, keyCount));
          byte[] value = RowEncoding.encode((Instant) r[keyCount], (Instant) r[keyCount + 1], names, types,
              java.util.Arrays.asList(r).subList(keyCount + 2, r.length));
          batch.add(new OnlineStore.Entry(key, value));
          if (batch.size() == BATCH) {
            queue.put(batch);
            batch = new ArrayList<>(BATCH);
          }
        }
        if (!batch.isEmpty()) {
          queue.put(batch);
        }
      } catch (Throwable t) {
        readerFailure[0] = t;
      } finally {
        try {
          queue.put(poison);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    long read = 0;
    long written = 0;
    try {
      while (true) {
        List<OnlineStore.Entry> batch = queue.take();
        if (batch == poison) {
          break;
        }
        written += store.multiPutIfNewer(table, batch);
        read += batch.size();
        listener.batchWritten(view.qualifiedName(), read, written);
      }
      reader.join();
    } catch (InterruptedException e) {
      reader.interrupt();
      Thread.currentThread().interrupt();
      throw new QuiverException("materialization of " + view.qualifiedName() + " was interrupted; its watermark did not move");
    } catch (RuntimeException e) {
      reader.interrupt();
      throw new QuiverException("materialization of " + view.qualifiedName() + " failed while writing to the online store: "
          + e.getMessage() + "; its watermark did not move, run it again", e);
    }
    if (readerFailure[0] != null) {
      throw new QuiverException("materialization of " + view.qualifiedName() + " failed while reading its source: "
          + readerFailure[0].getMessage() + "; its watermark did not move, run it again", readerFailure[0]);
    }
    registry.advanceWatermark(new Watermark(view.qualifiedName(), end, snapshot.info().version(), author, clock.instant()));
    ViewResult result = new ViewResult(view.qualifiedName(), start, end, read, written,
        Duration.ofNanos(System.nanoTime() - started));
    listener.viewDone(result);
    return result;
  }

  /** The offline read for one view: its keys and column features. */
  static LatestRowsPlan plan(Definitions defs, FeatureView view, Instant start, Instant end) {
    Source s = defs.source(view.source()).orElseThrow(() ->
        new QuiverException("view " + view.qualifiedName() + " reads source '" + view.source() + "', which the registry does not define"));
    FileSource source = switch (s) {
      case FileSource f -> f;
    };
    List<KeyBinding> keys = new ArrayList<>();
    for (String e : view.entities()) {
      Entity entity = defs.entity(e).orElseThrow(() -> new QuiverException("view " + view.qualifiedName() + " uses undefined entity " + e));
      for (JoinKey k : entity.joinKeys()) {
        keys.add(new KeyBinding(k.name(), source.rawColumn(k.name()), k.type()));
      }
    }
    List<LatestValue> features = new ArrayList<>();
    for (Feature f : view.features()) {
      if (f instanceof ColumnFeature c) {
        features.add(new LatestValue(new dev.quiver.core.model.FeatureRef(view.name(), view.version(), c.name()),
            source.rawColumn(c.column()), c.name(), c.type()));
      }
    }
    return new LatestRowsPlan(view.qualifiedName(), source, keys, features, start, end);
  }
}
