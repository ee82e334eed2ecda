package dev.quiver.server.flight;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.security.Action;
import dev.quiver.server.Caller;
import dev.quiver.server.Guard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A training-set request as Quiver runs it: the uploaded rows written to a Parquet file in the
 * scratch directory (or the SQL the client sent), the refs with Feast's aliases resolved, the caller
 * checked for {@code read_offline} on every view ({@link #read}).
 *
 * @param file the scratch file to delete afterwards, or null
 * @param renames output columns to rename ({@code view__feature} to {@code alias__feature})
 */
record TrainingSetRequest(HistoricalRequest request, Path file, Map<String, String> renames) {
  private static final Logger LOG = Logger.getLogger(OfflineProducer.class.getName());

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

  /**
   * Reads a {@code get_historical_features} (or {@code persist}) command and its uploaded rows.
   *
   * @param scratch where the uploaded rows are written (created when missing)
   */
  static TrainingSetRequest read(FeastCommand command, FlightStream reader, Caller caller, FeatureRepo repo, Guard guard,
      BufferAllocator allocator, Path scratch) {
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
      return request(command, reader, upload, refs, full, renames, repo, scratch);
    }
  }

  private static TrainingSetRequest request(FeastCommand command, FlightStream reader, ArrowUpload upload,
      List<FeatureRef> refs, boolean full, Map<String, String> renames, FeatureRepo repo, Path scratch) {
    QueryInput input;
    Path file = null;
    if (upload.placeholder()) {
      FlightErrors.drain(reader);
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
        new TrainingSetRequest(null, file, Map.of()).cleanUp();
        throw e;
      }
      input = new QueryInput.Files(file.toString(), FileFormat.PARQUET);
    }
    return new TrainingSetRequest(HistoricalRequest.ofFeatures(input, refs).withFullFeatureNames(full), file, renames);
  }
}
