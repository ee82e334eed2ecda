package dev.quiver.core.registry;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.Names;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.QueryInput;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A saved training set: everything needed to audit it and regenerate it bit for bit. Immutable
 * once saved; names are unique within a registry.
 *
 * <p>Paths are relative to the feature repo (with {@code /} separators) when inside it, so a dataset
 * saved in one clone of a repo reproduces in another at any path; paths outside the repo are
 * absolute. Records saved by dataset format 1 hold absolute paths everywhere.
 *
 * @param name a valid definition name ({@link Names#isValid}); the constructor refuses any other
 * @param registryVersion the registry version whose definitions computed it
 * @param features the pinned refs computed, in output order
 * @param service the feature service asked for ({@code name@vN}), or null when refs were given
 * @param timestampColumn the query's timestamp column
 * @param query the query rows: a file query's path as described above
 * @param queryFingerprint {@code sha256:...} of the query input (file bytes, or SQL text)
 * @param sourceFingerprints each source file read (path as described above) to its {@code sha256:...}
 * @param output where the training set was written (path as described above)
 * @param outputFingerprint {@code sha256:...} of the output file's bytes
 */
public record DatasetRecord(
    String name,
    long registryVersion,
    List<FeatureRef> features,
    String service,
    boolean fullFeatureNames,
    String timestampColumn,
    QueryInput query,
    String queryFingerprint,
    Map<String, String> sourceFingerprints,
    String output,
    FileFormat outputFormat,
    String outputFingerprint,
    long rows,
    String author,
    Instant createdAt) {
  /** The order {@link RegistryStore#datasets()} lists them in: oldest first, then by name. */
  public static final Comparator<DatasetRecord> OLDEST_FIRST =
      Comparator.comparing(DatasetRecord::createdAt).thenComparing(DatasetRecord::name);

  /**
   * @throws InvalidRequestException when {@code name} is not a valid dataset name
   */
  public DatasetRecord {
    checkName(name);
    features = List.copyOf(features);
    Objects.requireNonNull(timestampColumn, "timestampColumn");
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(queryFingerprint, "queryFingerprint");
    sourceFingerprints = java.util.Collections.unmodifiableMap(new TreeMap<>(sourceFingerprints));
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(outputFormat, "outputFormat");
    Objects.requireNonNull(outputFingerprint, "outputFingerprint");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /**
   * Refuses a name no dataset can have: what every registry store and {@code --save-as} check.
   *
   * @return {@code name}
   * @throws InvalidRequestException naming it and the rule, when it is not a valid {@link Names name}
   */
  public static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (!Names.isValid(name)) {
      throw new InvalidRequestException("'" + name + "' is not a valid dataset name: " + Names.rule());
    }
    return name;
  }
}
