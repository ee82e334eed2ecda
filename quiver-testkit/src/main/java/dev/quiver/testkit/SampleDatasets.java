package dev.quiver.testkit;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.registry.DatasetRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saved training sets of the {@link SampleDefinitions} project, for tests of registry stores and of
 * what reads them.
 *
 * <p>{@link #sample(String, int, String, Instant)} gives variants: the same arguments always give
 * equal records, and different seeds give unequal ones. Even seeds read their query rows from a
 * Parquet file and ask for the {@code fraud_model} service; odd seeds use a SQL query and plain
 * refs, with no service (null) and full feature names. Fingerprints are well-formed {@code
 * sha256:...} values derived from the seed; nothing is computed from real files.
 */
public final class SampleDatasets {

  /** The author of {@link #sample(String)}. */
  public static final String AUTHOR = "ana";

  /** The creation time of {@link #sample(String)}; microsecond precision, as stores keep. */
  public static final Instant CREATED = Instant.parse("2024-05-02T09:30:00.654321Z");

  private SampleDatasets() {}

  /** The base sample of that name: seed 0, by {@link #AUTHOR} at {@link #CREATED}. */
  public static DatasetRecord sample(String name) {
    return sample(name, 0, AUTHOR, CREATED);
  }

  /**
   * A variant of the sample.
   *
   * @param name the dataset name, used as given (so invalid names can be tried)
   * @param seed picks the variant, see the class documentation
   */
  public static DatasetRecord sample(String name, int seed, String author, Instant createdAt) {
    boolean fromFiles = Math.floorMod(seed, 2) == 0;
    List<FeatureRef> features =
        fromFiles
            ? List.of(
                FeatureRef.of("user_txn@v1:amount_avg_30d"),
                FeatureRef.of("user_txn@v1:txn_count_7d"),
                FeatureRef.of("txn_risk@v1:amount_ratio"))
            : List.of(
                FeatureRef.of("user_txn@v1:last_country"),
                FeatureRef.of("merchant_txn@v1:amount_sum_1h"));
    QueryInput query =
        fromFiles
            ? new QueryInput.Files("data/labels/" + seed + ".parquet", FileFormat.PARQUET)
            : new QueryInput.Sql(
                "select user_id, merchant_id, event_ts\nfrom transactions\nwhere amount > " + seed);
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("data/transactions.parquet", fingerprint("transactions", seed));
    if (fromFiles) {
      sources.put("data/labels/" + seed + ".parquet", fingerprint("labels", seed));
    }
    return new DatasetRecord(
        name,
        1 + Math.floorMod(seed, 7),
        features,
        fromFiles ? "fraud_model@v1" : null,
        !fromFiles,
        "event_ts",
        query,
        fingerprint("query", seed),
        sources,
        "out/" + name + (fromFiles ? ".parquet" : ".csv"),
        fromFiles ? FileFormat.PARQUET : FileFormat.CSV,
        fingerprint("output", seed),
        1_000L + seed,
        author,
        createdAt);
  }

  /** {@code sha256:} and the hex SHA-256 of {@code what} and {@code seed}. */
  private static String fingerprint(String what, int seed) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((what + "/" + seed).getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
