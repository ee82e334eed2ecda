package dev.quiver.server.flight;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.ArrowRows;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.repo.TrainingSet;
import dev.quiver.core.security.AccessDeniedException;
import dev.quiver.core.security.Action;
import dev.quiver.server.Caller;
import dev.quiver.server.Guard;
import dev.quiver.server.ServerMetrics;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
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
        case "get_table_column_names_and_types_from_data_source" -> throw unsupported(api,
            "a Quiver source's columns and types are in its definition (quiver describe source NAME)");
        default -> throw unsupported(api, "this server answers get_historical_features, pull_latest_from_table_or_query, pull_all_from_table_or_query and persist");
      }
      metrics.request("flight", api, listener.isCancelled() ? "cancelled" : "ok", System.nanoTime() - start);
    } catch (RuntimeException | Error e) {
      if (listener.isCancelled()) {
        LOG.info(api + " over Arrow Flight stopped: the client went away (" + e.getMessage() + ")");
        metrics.request("flight", api, "cancelled", System.nanoTime() - start);
        return;
      }
      drain(reader);
      listener.error(status(e, api));
      metrics.request("flight", api, outcome(e), System.nanoTime() - start);
    }
  }

  /** Computes and streams one training set; returns its number of rows. */
  private long historical(FeastCommand command, FlightStream reader, ServerStreamListener listener, Caller caller) {
    long begun = System.nanoTime();
    Request r = request(command, reader, caller);
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
    drain(reader);
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
    drain(reader);
    String api = latest ? PULL_LATEST : PULL_ALL;
    String name = command.text("data_source_name");
    FileSource source = name == null ? null : SourcePulls.source(repo, name).orElse(null);
    if (source == null) {
      throw unsupported(api + " over data source '" + name + "'", "it reads the project's file sources (by their"
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

  /**
   * A training-set request as Quiver runs it: the uploaded rows written to a Parquet file in the
   * scratch directory (or the SQL the client sent), the refs with Feast's aliases resolved, the caller
   * checked for {@code read_offline} on every view.
   *
   * @param file the scratch file to delete afterwards, or null
   * @param renames output columns to rename ({@code view__feature} to {@code alias__feature})
   */
  private record Request(HistoricalRequest request, Path file, Map<String, String> renames) {
    Schema renamed(Schema schema) {
      if (renames.isEmpty()) {
        return schema;
      }
      List<Field> fields = new ArrayList<>();
      for (Field f : schema.getFields()) {
        String to = renames.get(f.getName());
        fields.add(to == null ? f : new Field(to, f.getFieldType(), f.getChildren()));
      }
      return new Schema(fields, schema.getCustomMetadata());
    }

    void cleanUp() {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          LOG.warning("could not delete the scratch file " + file + ": " + e.getMessage());
        }
      }
    }
  }

  private Request request(FeastCommand command, FlightStream reader, Caller caller) {
    List<String> refTexts = command.required("feature_refs");
    List<String> viewNames = command.texts("feature_view_names");
    List<String> aliases = command.texts("name_aliases");
    boolean full = command.flag("full_feature_names");
    Map<String, String> viewOfAlias = new HashMap<>();
    for (int i = 0; i < viewNames.size() && i < aliases.size(); i++) {
      if (aliases.get(i) != null && !aliases.get(i).isBlank()) {
        viewOfAlias.put(aliases.get(i), viewNames.get(i));
      }
    }
    List<FeatureRef> refs = new ArrayList<>();
    Map<String, String> renames = new HashMap<>();
    for (String text : refTexts) {
      FeatureRef ref = FeatureRef.parse(text == null ? "" : text).orElseThrow(() -> new InvalidRequestException(
          "'" + text + "' is not a feature ref; write view:feature"));
      String view = viewOfAlias.get(ref.view());
      if (view != null) {
        FeatureRef real = new FeatureRef(view, ref.version(), ref.feature());
        if (full) {
          renames.put(real.outputName(true), ref.outputName(true));
        }
        ref = real;
      }
      refs.add(ref);
    }
    if (refs.isEmpty()) {
      throw new InvalidRequestException("the request names no features; give features=[\"view:feature\", ...] or a feature service");
    }
    guard.check(caller, Action.READ_OFFLINE, guard.reads(refs));
    try (ArrowUpload upload = new ArrowUpload(reader, allocator)) {
      return request(command, reader, upload, refs, full, renames);
    }
  }

  private Request request(FeastCommand command, FlightStream reader, ArrowUpload upload, List<FeatureRef> refs, boolean full,
      Map<String, String> renames) {
    QueryInput input;
    Path file = null;
    if (upload.placeholder()) {
      drain(reader);
      String sql = command.text("entity_df_sql");
      if (sql == null) {
        throw new InvalidRequestException("no entity_df: Quiver computes a training set for query rows; pass entity_df"
            + " (a DataFrame, or SQL over the repo's sources) — a start_date/end_date range without one is not supported");
      }
      input = new QueryInput.Sql(sql);
    } else {
      try {
        Files.createDirectories(scratch);
      } catch (IOException e) {
        throw new QuiverException("cannot create the scratch directory " + scratch + ": " + e.getMessage(), e);
      }
      file = scratch.resolve("entity-df-" + UUID.randomUUID() + ".parquet");
      try {
        repo.offline().writeQueryRows(file, upload);
      } catch (RuntimeException e) {
        new Request(null, file, Map.of()).cleanUp();
        throw e;
      }
      input = new QueryInput.Files(file.toString(), FileFormat.PARQUET);
    }
    return new Request(HistoricalRequest.ofFeatures(input, refs).withFullFeatureNames(full), file, renames);
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
          case "offline_write_batch" -> throw unsupported(api, "write rows to a Quiver source with a push to the offline"
              + " store (store.push(..., to=PushMode.OFFLINE)) or by adding files to the source");
          case "write_logged_features" -> throw unsupported(api, "Quiver logs served features itself (docs/server.md)");
          case "validate_data_source" -> throw unsupported(api, "Quiver validates sources when definitions are applied"
              + " (quiver plan, quiver apply)");
          default -> throw unsupported(api, "this server answers get_historical_features, pull_latest_from_table_or_query, pull_all_from_table_or_query and persist");
        }
        ack.onCompleted();
        metrics.request("flight", api, "ok", System.nanoTime() - start);
      } catch (RuntimeException | Error e) {
        drain(reader);
        ack.onError(status(e, api));
        metrics.request("flight", api, outcome(e), System.nanoTime() - start);
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
      throw unsupported("persist of " + retrieve, "only training sets (get_historical_features) are saved as datasets");
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
    Request r = request(command, reader, caller);
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
    listener.error(legacy("do_get"));
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    throw legacy("get_flight_info");
  }

  @Override
  public void listFlights(CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    listener.onCompleted(); // nothing is kept between calls
  }

  @Override
  public void doAction(CallContext context, org.apache.arrow.flight.Action action, StreamListener<Result> listener) {
    listener.onError(unsupported("action " + action.getType(), "Feast's client sends its APIs as do_exchange and do_put commands"));
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    listener.onNext(new ActionType(PERSIST, "Computes a training set and saves it as a Quiver dataset named after the storage's data source."));
    listener.onCompleted();
  }

  private static FlightRuntimeException legacy(String call) {
    return CallStatus.UNIMPLEMENTED.withDescription(call + " (the two-step flow of Feast before do_exchange) is not served:"
        + " nothing is kept between calls here; upgrade the Feast client (0.50 or newer sends one do_exchange)").toRuntimeException();
  }

  private static FlightRuntimeException unsupported(String api, String instead) {
    return CallStatus.UNIMPLEMENTED.withDescription("a Quiver server does not serve " + api + " over Feast's offline store"
        + " protocol: " + instead).toRuntimeException();
  }

  /** Reads what the client still sends, so that it sees the error rather than a broken stream. */
  private static void drain(FlightStream reader) {
    try {
      while (reader.next()) {
        // discard
      }
    } catch (RuntimeException e) {
      // the client went away or sent garbage: the error answer says what went wrong first
    }
  }

  static FlightRuntimeException status(Throwable e, String api) {
    String message = dev.quiver.core.load.Secrets.redact(String.valueOf(e.getMessage()));
    return switch (e) {
      case FlightRuntimeException f -> f;
      case AccessDeniedException d -> CallStatus.UNAUTHORIZED.withDescription(message).toRuntimeException();
      case NotFoundException n -> CallStatus.NOT_FOUND.withDescription(message).toRuntimeException();
      case InvalidRequestException i -> CallStatus.INVALID_ARGUMENT.withDescription(message).toRuntimeException();
      case dev.quiver.core.ConflictException c -> CallStatus.ALREADY_EXISTS.withDescription(message).toRuntimeException();
      case dev.quiver.core.DefinitionException d -> CallStatus.INVALID_ARGUMENT.withDescription(message).toRuntimeException();
      case QuiverException q -> CallStatus.INTERNAL.withDescription(message).toRuntimeException();
      default -> {
        LOG.log(Level.SEVERE, api + " over Arrow Flight failed unexpectedly", e);
        yield CallStatus.INTERNAL.withDescription("the server failed to answer " + api + ": " + e).toRuntimeException();
      }
    };
  }

  private static String outcome(Throwable e) {
    return e instanceof InvalidRequestException || e instanceof NotFoundException || e instanceof AccessDeniedException
        || e instanceof dev.quiver.core.DefinitionException || e instanceof dev.quiver.core.ConflictException
        || (e instanceof FlightRuntimeException f && f.status().code() != org.apache.arrow.flight.FlightStatusCode.INTERNAL)
        ? "client_error" : "server_error";
  }
}
