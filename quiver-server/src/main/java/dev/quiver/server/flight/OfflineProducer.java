package dev.quiver.server.flight;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.ArrowRows;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.repo.TrainingSet;
import dev.quiver.core.security.Action;
import dev.quiver.server.Caller;
import dev.quiver.server.Guard;
import dev.quiver.server.ServerMetrics;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Answers Feast's remote offline store ({@code feast/infra/offline_stores/remote.py}):
 * {@code do_exchange} with {@code get_historical_features} streams a training set computed by the
 * repo's offline engine through the plan {@code quiver historical} uses (as the engine's own Arrow
 * batches when it makes them); {@code pull_latest_from_table_or_query} and {@code
 * pull_all_from_table_or_query} read a file source as materialization does ({@link SourcePulls}), and
 * {@code pull_all} of a saved dataset's storage reads the dataset back; {@code do_put} with {@code
 * persist} saves a training set as a Quiver dataset ({@link SavedDatasetNames}). A client that goes
 * away stops the engine's work. Every other API is refused with a Flight error that says what to do
 * instead. Errors map to Flight status codes: a bad request {@code INVALID_ARGUMENT}, an
 * unknown view, feature or dataset {@code NOT_FOUND}, a denial {@code UNAUTHORIZED} (gRPC {@code
 * PERMISSION_DENIED}), an unsupported API {@code UNIMPLEMENTED}, anything else {@code INTERNAL}; the
 * message is the one {@code quiver historical} prints, never a stack trace. Thread-safe.
 */
final class OfflineProducer implements FlightProducer {
  private static final Logger LOG = Logger.getLogger(OfflineProducer.class.getName());
  static final String HISTORICAL = "get_historical_features";
  static final String PERSIST = "persist";
  static final String PULL_ALL = "pull_all_from_table_or_query";
  static final String PULL_LATEST = "pull_latest_from_table_or_query";
  /** Rows per record batch sent: a few thousand, so a batch of wide rows stays a few MB. */
  static final int BATCH_ROWS = 4096;
  /** A set this large is logged as it streams, every this many rows. */
  static final long PROGRESS_ROWS = 1_000_000;

  private final FeatureRepo repo;
  private final Guard guard;
  private final ServerMetrics metrics;
  private final BufferAllocator allocator;
  private final Path scratch;
  private final Counter rowsSent;

  OfflineProducer(FeatureRepo repo, Guard guard, ServerMetrics metrics, BufferAllocator allocator, Path scratch) {
    this.repo = repo;
    this.guard = guard;
    this.metrics = metrics;
    this.allocator = allocator;
    this.scratch = scratch;
    this.rowsSent = Counter.builder("quiver.flight.rows.sent")
        .description("Training-set rows streamed to Feast clients over Arrow Flight").register(metrics.meters());
  }

  @Override
  public void doExchange(CallContext context, FlightStream reader, ServerStreamListener listener) {
    long start = System.nanoTime();
    String api = "unknown";
    Caller caller = Caller.ofGrpc();
    try {
      FeastCommand command = FeastCommand.parse(reader.getDescriptor().getCommand());
      api = command.api();
      switch (api) {
        case HISTORICAL -> {
          long rows = historical(command, reader, listener, caller);
          LOG.fine(() -> "training set of " + rows + " rows streamed to " + caller.principal().name());
        }
        case PULL_ALL -> pullAll(command, reader, listener, caller);
        case PULL_LATEST -> pullSource(command, reader, listener, caller, true);
        case "get_table_column_names_and_types_from_data_source" -> throw FlightErrors.unsupported(api,
            "a Quiver source's columns and types are in its definition (quiver describe source NAME)");
        default -> throw FlightErrors.unsupported(api, "this server answers get_historical_features, pull_latest_from_table_or_query, pull_all_from_table_or_query and persist");
      }
      metrics.request("flight", api, listener.isCancelled() ? "cancelled" : "ok", System.nanoTime() - start);
    } catch (RuntimeException | Error e) {
      if (listener.isCancelled()) {
        LOG.info(api + " over Arrow Flight stopped: the client went away (" + e.getMessage() + ")");
        metrics.request("flight", api, "cancelled", System.nanoTime() - start);
        return;
      }
      FlightErrors.drain(reader);
      listener.error(FlightErrors.status(e, api));
      metrics.request("flight", api, FlightErrors.outcome(e), System.nanoTime() - start);
    }
  }

  /** Computes and streams one training set; returns its number of rows. */
  private long historical(FeastCommand command, FlightStream reader, ServerStreamListener listener, Caller caller) {
    long begun = System.nanoTime();
    TrainingSetRequest r = request(command, reader, caller);
    double uploaded = (System.nanoTime() - begun) / 1e9;
    try {
      try (TrainingBatches batches = batches(r.request())) {
        listener.setOnCancelHandler(() -> {
          LOG.info("the client of a training set for " + caller.principal().name() + " went away: stopping its work");
          batches.cancel();
        });
        if (listener.isCancelled()) {
          batches.cancel();
        }
        long computing = System.nanoTime();
        VectorSchemaRoot root = batches.root(); // the engine's work before the first batch (all of it on DuckDB)
        double computed = (System.nanoTime() - computing) / 1e9;
        Schema schema = r.renamed(root.getSchema());
        boolean renamed = !schema.equals(root.getSchema());
        VectorSchemaRoot out = renamed ? new VectorSchemaRoot(schema, root.getFieldVectors(), 0) : root;
        listener.start(out);
        long sent = 0;
        long started = System.nanoTime();
        while (batches.next()) {
          if (listener.isCancelled()) {
            LOG.info("training set for " + caller.principal().name() + " cancelled by the client after " + sent + " rows");
            return sent;
          }
          awaitReady(listener);
          out.setRowCount(root.getRowCount());
          listener.putNext();
          sent += root.getRowCount();
          rowsSent.increment(root.getRowCount());
          if (sent % PROGRESS_ROWS < root.getRowCount()) {
            long n = sent;
            LOG.info(() -> String.format("training set for %s: %,d rows streamed in %.1f s", caller.principal().name(), n,
                (System.nanoTime() - started) / 1e9));
          }
        }
        listener.completed();
        if (sent >= PROGRESS_ROWS || Boolean.getBoolean("quiver.offline.timings")) { // also for small sets when timing
          long n = sent;
          LOG.info(() -> String.format("training set for %s: %,d rows in %.1f s (query rows received and written in %.3f s,"
              + " the engine's work before the first batch %.3f s, then streamed in %.3f s)", caller.principal().name(), n,
              (System.nanoTime() - begun) / 1e9, uploaded, computed, (System.nanoTime() - started) / 1e9));
        }
        return sent;
      }
    } finally {
      r.cleanUp();
    }
  }

  /**
   * The training set's batches: made by the offline engine itself when it can ({@link
   * dev.quiver.core.offline.OfflineEngine#arrowRows}, DuckDB), else converted from its rows (Spark).
   * Nothing is computed before {@link TrainingBatches#root()}.
   */
  private TrainingBatches batches(HistoricalRequest request) {
    PointInTimePlan plan = repo.planHistoricalFeatures(request);
    java.util.Optional<ArrowRows> arrow = repo.offline().arrowRows(plan, repo.config().root(), allocator, BATCH_ROWS);
    if (arrow.isPresent()) {
      return new EngineBatches(arrow.get());
    }
    return new ArrowBatches(repo.offline().rows(plan, repo.config().root()), allocator, BATCH_ROWS);
  }

  /**
   * Feast's {@code pull_all_from_table_or_query}: over a saved dataset's storage (what {@code
   * get_saved_dataset(name).to_df()} sends) the dataset's file as written, every column, in file order
   * (a dataset directory's part files one after the other, in name order);
   * over a source, its rows in the range ({@link SourcePulls}).
   */
  private void pullAll(FeastCommand command, FlightStream reader, ServerStreamListener listener, Caller caller) {
    String storage = command.text("data_source_name");
    java.util.Optional<dev.quiver.core.registry.DatasetRecord> found = storage == null ? java.util.Optional.empty()
        : SavedDatasets.find(repo.registry().datasets(), storage, repo.config().root());
    if (found.isEmpty()) {
      pullSource(command, reader, listener, caller, false);
      return;
    }
    FlightErrors.drain(reader);
    dev.quiver.core.registry.DatasetRecord dataset = found.get();
    guard.check(caller, Action.READ_OFFLINE, guard.reads(dataset.features()));
    Path file = repo.config().root().resolve(dataset.output());
    if (dataset.output().endsWith("/") || Files.isDirectory(file)) {
      stream(DatasetParts.read(repo.offline(), dataset.name(), file), listener);
      return;
    }
    if (!Files.isRegularFile(file)) {
      throw new NotFoundException("saved dataset '" + dataset.name() + "' was written to " + file
          + ", which is gone; compute it again with quiver datasets reproduce " + dataset.name() + " --out FILE");
    }
    stream(repo.offline().read(file, dataset.outputFormat()), listener);
  }

  /**
   * Feast's pulls over a Quiver file source ({@link SourcePulls}): the latest row per key, or every row,
   * with {@code start <= event_ts < end}, as materialization reads them. Anything else is refused.
   */
  private void pullSource(FeastCommand command, FlightStream reader, ServerStreamListener listener, Caller caller,
      boolean latest) {
    FlightErrors.drain(reader);
    String api = latest ? PULL_LATEST : PULL_ALL;
    String name = command.text("data_source_name");
    FileSource source = name == null ? null : SourcePulls.source(repo, name).orElse(null);
    if (source == null) {
      throw FlightErrors.unsupported(api + " over data source '" + name + "'", "it reads the project's file sources (by their"
          + " names in the registry) and, for pull_all, saved datasets (store.get_saved_dataset(name).to_df());"
          + " for features at given times ask for a training set (get_historical_features)");
    }
    guard.check(caller, Action.READ_OFFLINE, List.of(SourcePulls.resource(source)));
    SourcePulls.Pull pull = SourcePulls.plan(repo, source, command);
    HistoricalRows rows = latest ? repo.offline().latestRows(pull.plan(), repo.config().root())
        : repo.offline().sourceRows(pull.plan(), repo.config().root());
    stream(SourcePulls.project(rows, pull), listener);
  }

  /** Streams rows as Arrow batches to the client, stopping if it goes away; closes the rows. */
  private void stream(HistoricalRows rows, ServerStreamListener listener) {
    try (TrainingBatches batches = new ArrowBatches(rows, allocator, BATCH_ROWS)) {
      VectorSchemaRoot root = batches.root();
      listener.start(root);
      while (batches.next()) {
        if (listener.isCancelled()) {
          return;
        }
        awaitReady(listener);
        listener.putNext();
        rowsSent.increment(root.getRowCount());
      }
      listener.completed();
    }
  }

  /** Waits (briefly sleeping) until the client can take another batch, so at most a few batches are buffered. */
  private static void awaitReady(ServerStreamListener listener) {
    while (!listener.isReady() && !listener.isCancelled()) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QuiverException("interrupted while streaming a training set");
      }
    }
  }

  @Override
  public Runnable acceptPut(CallContext context, FlightStream reader, StreamListener<PutResult> ack) {
    return () -> {
      long start = System.nanoTime();
      String api = "unknown";
      Caller caller = Caller.ofGrpc();
      try {
        FeastCommand command = FeastCommand.parse(reader.getDescriptor().getCommand());
        api = command.api();
        switch (api) {
          case PERSIST -> persist(command, reader, caller);
          case "offline_write_batch" -> throw FlightErrors.unsupported(api, "write rows to a Quiver source with a push to the offline"
              + " store (store.push(..., to=PushMode.OFFLINE)) or by adding files to the source");
          case "write_logged_features" -> throw FlightErrors.unsupported(api, "Quiver logs served features itself (docs/server.md)");
          case "validate_data_source" -> throw FlightErrors.unsupported(api, "Quiver validates sources when definitions are applied"
              + " (quiver plan, quiver apply)");
          default -> throw FlightErrors.unsupported(api, "this server answers get_historical_features, pull_latest_from_table_or_query, pull_all_from_table_or_query and persist");
        }
        ack.onCompleted();
        metrics.request("flight", api, "ok", System.nanoTime() - start);
      } catch (RuntimeException | Error e) {
        FlightErrors.drain(reader);
        ack.onError(FlightErrors.status(e, api));
        metrics.request("flight", api, FlightErrors.outcome(e), System.nanoTime() - start);
      }
    };
  }

  /**
   * Saves the training set as a Quiver dataset named as Feast's storage names it. An existing dataset
   * of that name is refused (ALREADY_EXISTS) whatever {@code allow_overwrite} says: saved datasets are
   * immutable records that {@code quiver datasets reproduce} checks against. A file in the dataset's
   * place that no dataset records is replaced only with {@code allow_overwrite}, as Feast's own file
   * store refuses an existing location ({@code SavedDatasetLocationAlreadyExists}).
   */
  private void persist(FeastCommand command, FlightStream reader, Caller caller) {
    String retrieve = command.text("retrieve_func");
    if (!HISTORICAL.equals(retrieve)) {
      throw FlightErrors.unsupported("persist of " + retrieve, "only training sets (get_historical_features) are saved as datasets");
    }
    String storage = command.text("data_source_name");
    if (storage == null || storage.isBlank()) {
      throw new InvalidRequestException("persist needs a name for the dataset: give the saved dataset's storage a path"
          + " (SavedDatasetFileStorage(path=\"NAME.parquet\") saves the Quiver dataset NAME)");
    }
    String name = SavedDatasets.name(storage);
    Path out = repo.config().root().resolve("datasets").resolve(name + ".parquet");
    boolean overwrite = command.flag("allow_overwrite");
    java.util.Optional<dev.quiver.core.registry.DatasetRecord> existing = repo.registry().dataset(name);
    if (existing.isPresent()) { // a saved dataset is a record to reproduce from: never replaced
      throw new dev.quiver.core.ConflictException("saved dataset '" + name + "' already exists (" + existing.get().output()
          + ")" + (overwrite ? "; Quiver keeps saved datasets as records to reproduce them from (quiver datasets reproduce),"
          + " so allow_overwrite cannot replace it" : "") + "; name the storage after a new dataset"
          + " (SavedDatasetFileStorage(path=\"NEW_NAME.parquet\"))");
    }
    if (!overwrite && Files.exists(out)) { // as Feast's file store: an existing location only with allow_overwrite
      throw new dev.quiver.core.ConflictException("the saved dataset's file " + repo.config().root().relativize(out)
          + " already exists (no dataset records it); pass allow_overwrite=True to replace it, or name the storage after"
          + " a new dataset");
    }
    TrainingSetRequest r = request(command, reader, caller);
    try {
      Files.createDirectories(out.getParent());
      TrainingSet set = repo.writeHistoricalFeatures(r.request(), out, p -> {}, name, caller.principal().name());
      guard.record(caller, "save_dataset", "dataset " + name, "ok", set.rows() + " rows to " + set.output()
          + (set.dataset() == null ? "" : " (" + set.dataset().outputFingerprint() + ")"));
    } catch (IOException e) {
      throw new QuiverException("cannot create the datasets directory: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      guard.record(caller, "save_dataset", "dataset " + name, "failed", String.valueOf(e.getMessage()));
      throw e;
    } finally {
      r.cleanUp();
    }
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    listener.error(FlightErrors.legacy("do_get"));
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    throw FlightErrors.legacy("get_flight_info");
  }

  @Override
  public void listFlights(CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    listener.onCompleted(); // nothing is kept between calls
  }

  @Override
  public void doAction(CallContext context, org.apache.arrow.flight.Action action, StreamListener<Result> listener) {
    listener.onError(FlightErrors.unsupported("action " + action.getType(), "Feast's client sends its APIs as do_exchange and do_put commands"));
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    listener.onNext(new ActionType(PERSIST, "Computes a training set and saves it as a Quiver dataset named after the storage's data source."));
    listener.onCompleted();
  }

  private TrainingSetRequest request(FeastCommand command, FlightStream reader, Caller caller) {
    return TrainingSetRequest.read(command, reader, caller, repo, guard, allocator, scratch);
  }
}
