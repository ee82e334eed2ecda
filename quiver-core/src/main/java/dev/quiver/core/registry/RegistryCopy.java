package dev.quiver.core.registry;

import dev.quiver.core.QuiverException;
import dev.quiver.core.monitor.SkewLog;
import dev.quiver.core.monitor.SkewResult;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.quality.ValidationLog;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.AuditLog;
import dev.quiver.core.security.TokenStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Copies a whole registry into another store ({@code quiver registry copy}): everything a {@link
 * RegistryStore} keeps, in this order: the versions (with their numbers, authors, messages and
 * times), the saved datasets, the watermarks, the API tokens, the audit log, the validation results
 * and the skew results.
 *
 * <p>The target must be empty, or hold only an earlier, interrupted copy of the same source. Before
 * writing anything the copy checks, kind by kind, that every version, dataset, watermark and token in
 * the target equals the source's, and that each log (audit, validation, skew) holds exactly the
 * source's first <i>n</i> records, <i>n</i> being how many it holds (compared as a multiset, as a
 * store may read its log back in time order rather than append order). A target holding anything else
 * is refused and left unchanged.
 *
 * <p>Why a re-run after a crash neither duplicates nor loses a record: versions, datasets and tokens
 * have unique keys and are copied only when absent (a revoked token is created, then revoked: a target
 * token that is the source's not yet revoked is revoked by the re-run); a watermark is written only
 * when absent; a log's
 * records are appended in the source's order, in batches that each store appends all or none (a
 * transaction; one write whose torn tail readers skip), so a crash leaves a prefix of the source's log
 * in the target, and the next run appends exactly what follows it. After copying, every kind is read
 * back from the target and compared with the source; a difference is an error, never silence.
 *
 * <p>Not thread-safe; nothing else should write to the source or the target while it runs.
 */
public final class RegistryCopy {
  /** Log records per append: one batch is one transaction (PostgreSQL) or one write (file). */
  static final int BATCH = 500;

  /** A count per kind of record a registry store keeps. */
  public record Counts(int versions, int datasets, int watermarks, int tokens, int auditEvents, int validationResults,
      int skewResults) {
    /** No record of any kind. */
    public boolean isEmpty() {
      return versions + datasets + watermarks + tokens + auditEvents + validationResults + skewResults == 0;
    }

    /** {@code 3 versions, 2 datasets, ..., and 0 skew results}. */
    public String describe() {
      return versions + " versions, " + datasets + " datasets, " + watermarks + " watermarks, " + tokens + " API tokens, "
          + auditEvents + " audit events, " + validationResults + " validation results and " + skewResults
          + " skew results";
    }
  }

  /**
   * What a run did.
   *
   * @param copied what it wrote
   * @param alreadyThere what the target held already, from an earlier, interrupted copy
   */
  public record Result(Counts copied, Counts alreadyThere) {}

  private final RegistryStore source;
  private final RegistryStore target;
  private final String targetName;

  /**
   * @param targetName how messages name the target: {@code the postgres registry at ...}
   */
  public RegistryCopy(RegistryStore source, RegistryStore target, String targetName) {
    this.source = Objects.requireNonNull(source, "source");
    this.target = Objects.requireNonNull(target, "target");
    this.targetName = Objects.requireNonNull(targetName, "targetName");
  }

  /**
   * Checks the target, copies what it lacks, then checks the target against the source.
   *
   * @throws QuiverException when the target holds something that is not from this source (nothing
   *     is written then), when a store fails (run it again), or when the target does not read back
   *     equal to the source after copying
   */
  public Result run() {
    Everything from = Everything.of(source);
    Optional<TokenStore> targetTokens = optional(target::tokens);
    Optional<AuditLog> targetAudit = optional(target::audit);
    Optional<ValidationLog> targetValidation = optional(target::validationLog);
    Optional<SkewLog> targetSkew = optional(target::skewLog);
    requirePart(targetTokens, from.tokens.size(), "API tokens");
    requirePart(targetAudit, from.audit.size(), "audit events");
    requirePart(targetValidation, from.validation.size(), "validation results");
    requirePart(targetSkew, from.skew.size(), "skew results");

    // ---- check: the target holds nothing but a prefix of this copy
    Everything there = Everything.of(target);
    if (there.versions.size() > from.versions.size()) {
      throw notACopy("it has " + there.versions.size() + " registry versions, the source " + from.versions.size());
    }
    for (int i = 0; i < there.versions.size(); i++) {
      long v = i + 1;
      if (!there.versions.get(i).equals(from.versions.get(i))
          || !target.read(v).definitions().equals(source.read(v).definitions())) {
        throw notACopy("its registry version " + v + " differs from the source's");
      }
    }
    for (DatasetRecord d : there.datasets) {
      if (!from.datasets.contains(d)) {
        throw notACopy("it holds dataset '" + d.name() + "', which the source does not (or not as it is)");
      }
    }
    for (Watermark w : there.watermarks) {
      if (!from.watermarks.contains(w)) {
        throw notACopy("its watermark of " + w.view() + " differs from the source's");
      }
    }
    List<ApiToken> fromUnrevoked = from.tokens.stream().map(RegistryCopy::unrevoked).toList();
    for (ApiToken t : there.tokens) {
      if (!from.tokens.contains(t) && !fromUnrevoked.contains(t)) {
        throw notACopy("it holds API token " + t.id() + ", which the source does not (or not as it is)");
      }
    }
    List<AuditEvent> auditToCopy = missingTail("audit log", from.audit, there.audit);
    List<RuleResult> validationToCopy = missingTail("validation results", from.validation, there.validation);
    List<SkewResult> skewToCopy = missingTail("skew results", from.skew, there.skew);

    // ---- copy what is missing, in order
    int versions = 0;
    for (VersionInfo v : from.versions.subList(there.versions.size(), from.versions.size())) {
      target.commit(v.parent(), source.read(v.version()).definitions(), v.author(), v.message(), v.appliedAt());
      versions++;
    }
    int datasets = 0;
    for (DatasetRecord d : from.datasets) {
      if (target.dataset(d.name()).isEmpty()) {
        target.saveDataset(d);
        datasets++;
      }
    }
    int watermarks = 0;
    for (Watermark w : from.watermarks) {
      if (target.watermark(w.view()).isEmpty()) {
        target.advanceWatermark(w);
        watermarks++;
      }
    }
    int tokens = 0;
    for (ApiToken t : from.tokens) { // a store creates tokens unrevoked: revocation is a second write
      Optional<ApiToken> present = targetTokens.orElseThrow().find(t.id());
      if (present.isEmpty()) {
        targetTokens.orElseThrow().create(unrevoked(t));
        tokens++;
      }
      if (t.revoked().isPresent() && present.flatMap(ApiToken::revoked).isEmpty()) {
        targetTokens.orElseThrow().revoke(t.id(), t.revoked().get());
      }
    }
    inBatches(auditToCopy, batch -> targetAudit.orElseThrow().appendAll(batch));
    inBatches(validationToCopy, batch -> targetValidation.orElseThrow().append(batch));
    inBatches(skewToCopy, batch -> targetSkew.orElseThrow().append(batch));

    verify(from);
    return new Result(
        new Counts(versions, datasets, watermarks, tokens, auditToCopy.size(), validationToCopy.size(), skewToCopy.size()),
        there.counts());
  }

  /** Reads the target back: it must hold what the source holds, each log with each record once. */
  private void verify(Everything from) {
    Everything after = Everything.of(target);
    String differs = !after.versions.equals(from.versions) ? "registry versions"
        : !sameSet(after.datasets, from.datasets) ? "datasets"
        : !sameSet(after.watermarks, from.watermarks) ? "watermarks"
        : !sameSet(after.tokens, from.tokens) ? "API tokens"
        : !sameMultiset(after.audit, from.audit) ? "audit log"
        : !sameMultiset(after.validation, from.validation) ? "validation results"
        : !sameMultiset(after.skew, from.skew) ? "skew results"
        : null;
    if (differs != null) {
      throw new QuiverException("after copying, the " + differs + " of " + targetName + " differ from the source's"
          + " (did something write to either while copying?); copy again into an empty registry");
    }
  }

  /**
   * The records of a log the target lacks: the target must hold exactly the source's first {@code
   * there.size()} records, in any order.
   */
  private <T> List<T> missingTail(String what, List<T> from, List<T> there) {
    if (there.size() > from.size() || !sameMultiset(there, from.subList(0, there.size()))) {
      throw notACopy("its " + what + " (" + there.size() + " records) is not the start of the source's ("
          + from.size() + " records)");
    }
    return from.subList(there.size(), from.size());
  }

  private static ApiToken unrevoked(ApiToken t) {
    return new ApiToken(t.id(), t.name(), t.roles(), t.hash(), t.created(), t.expires(), Optional.empty());
  }

  private static <T> boolean sameSet(List<T> a, List<T> b) {
    return a.size() == b.size() && a.containsAll(b);
  }

  private static <T> boolean sameMultiset(List<T> a, List<T> b) {
    if (a.size() != b.size()) {
      return false;
    }
    Map<T, Integer> count = new HashMap<>();
    a.forEach(x -> count.merge(x, 1, Integer::sum));
    for (T x : b) {
      Integer n = count.get(x);
      if (n == null) {
        return false;
      }
      if (n == 1) {
        count.remove(x);
      } else {
        count.put(x, n - 1);
      }
    }
    return count.isEmpty();
  }

  private static <T> void inBatches(List<T> records, Consumer<List<T>> append) {
    for (int i = 0; i < records.size(); i += BATCH) {
      append.accept(records.subList(i, Math.min(records.size(), i + BATCH)));
    }
  }

  private void requirePart(Optional<?> part, int inSource, String what) {
    if (inSource > 0 && part.isEmpty()) {
      throw new QuiverException(targetName + " keeps no " + what + ", and the source holds " + inSource
          + "; copy into a registry type that keeps them (file or postgres)");
    }
  }

  private QuiverException notACopy(String why) {
    return new QuiverException(targetName + " is not empty and not an earlier copy of this registry: " + why
        + "; copy into an empty registry (nothing was written)");
  }

  static <T> Optional<T> optional(Supplier<T> part) {
    try {
      return Optional.of(part.get());
    } catch (UnsupportedOperationException none) {
      return Optional.empty();
    }
  }

  /** Every record a store keeps, each kind in the order the store reads it. */
  private record Everything(List<VersionInfo> versions, List<DatasetRecord> datasets, List<Watermark> watermarks,
      List<ApiToken> tokens, List<AuditEvent> audit, List<RuleResult> validation, List<SkewResult> skew) {
    static Everything of(RegistryStore s) {
      return new Everything(s.log().reversed(), s.datasets(), s.watermarks(),
          part(s::tokens, TokenStore::list),
          part(s::audit, a -> a.read(Instant.MIN, Integer.MAX_VALUE)),
          part(s::validationLog, v -> v.read(Instant.MIN, null, Integer.MAX_VALUE)),
          part(s::skewLog, k -> k.read(Instant.MIN, null, Integer.MAX_VALUE)));
    }

    private static <P, T> List<T> part(Supplier<P> part, Function<P, List<T>> read) {
      return optional(part).map(read).orElse(List.of());
    }

    Counts counts() {
      return new Counts(versions.size(), datasets.size(), watermarks.size(), tokens.size(), audit.size(),
          validation.size(), skew.size());
    }
  }
}
