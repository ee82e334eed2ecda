package dev.quiver.core.registry;

import dev.quiver.core.QuiverException;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.AuditLog;
import dev.quiver.core.security.TokenStore;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Copies a whole registry into another store ({@code quiver registry copy}): every version with
 * its number, author, message and time, the saved datasets, the watermarks, the API tokens and the
 * audit log.
 *
 * <p>The target must be empty, or hold only an earlier, interrupted copy of the same source: before
 * writing anything, every version, dataset, watermark and token already in the target must equal the
 * source's, and its audit log must be the start of the source's. So a copy that crashed midway is
 * simply run again and continues; a target holding anything else is refused and left unchanged.
 *
 * <p>Not thread-safe; nothing else should write to the target while it runs.
 */
public final class RegistryCopy {
  /** What was copied (items already present from an earlier run are not counted). */
  public record Result(int versions, int datasets, int watermarks, int tokens, int auditEvents) {}

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
   * Checks the target, then copies what it lacks.
   *
   * @throws QuiverException when the target holds something that is not from this source (nothing
   *     is written then), or when a store fails (run it again)
   */
  public Result run() {
    List<VersionInfo> versions = source.log().reversed();
    List<DatasetRecord> datasets = source.datasets();
    List<Watermark> watermarks = source.watermarks();
    List<ApiToken> tokens = optional(source::tokens).map(TokenStore::list).orElse(List.of());
    List<AuditEvent> audit = optional(source::audit).map(a -> a.read(Instant.EPOCH, Integer.MAX_VALUE)).orElse(List.of());
    Optional<TokenStore> targetTokens = optional(target::tokens);
    Optional<AuditLog> targetAudit = optional(target::audit);
    if (!tokens.isEmpty() && targetTokens.isEmpty()) {
      throw new QuiverException(targetName + " keeps no API tokens, and the source holds " + tokens.size()
          + "; copy into a registry type that keeps them");
    }
    if (!audit.isEmpty() && targetAudit.isEmpty()) {
      throw new QuiverException(targetName + " keeps no audit log, and the source holds " + audit.size()
          + " events; copy into a registry type that keeps one");
    }

    // ---- check: the target holds nothing but a prefix of this copy
    long targetHead = target.head().map(VersionInfo::version).orElse(0L);
    if (targetHead > versions.size()) {
      throw notACopy("it has " + targetHead + " registry versions, the source " + versions.size());
    }
    for (int i = 0; i < targetHead; i++) {
      RegistrySnapshot there = target.read(i + 1);
      if (!there.info().equals(versions.get(i)) || !there.definitions().equals(source.read(i + 1).definitions())) {
        throw notACopy("its registry version " + (i + 1) + " differs from the source's");
      }
    }
    for (DatasetRecord d : target.datasets()) {
      if (datasets.stream().noneMatch(d::equals)) {
        throw notACopy("it holds dataset '" + d.name() + "', which the source does not");
      }
    }
    for (Watermark w : target.watermarks()) {
      if (watermarks.stream().noneMatch(w::equals)) {
        throw notACopy("its watermark of " + w.view() + " differs from the source's");
      }
    }
    List<ApiToken> tokensThere = targetTokens.map(TokenStore::list).orElse(List.of());
    for (ApiToken t : tokensThere) {
      if (tokens.stream().noneMatch(t::equals)) {
        throw notACopy("it holds API token " + t.id() + ", which the source does not (or not as it is)");
      }
    }
    List<AuditEvent> auditThere = targetAudit.map(a -> a.read(Instant.EPOCH, Integer.MAX_VALUE)).orElse(List.of());
    if (auditThere.size() > audit.size() || !audit.subList(0, auditThere.size()).equals(auditThere)) {
      throw notACopy("its audit log is not the start of the source's");
    }

    // ---- copy what is missing, oldest first
    int copiedVersions = 0;
    for (int i = (int) targetHead; i < versions.size(); i++) {
      VersionInfo v = versions.get(i);
      target.commit(v.parent(), source.read(v.version()).definitions(), v.author(), v.message(), v.appliedAt());
      copiedVersions++;
    }
    int copiedDatasets = 0;
    for (DatasetRecord d : datasets) {
      if (target.dataset(d.name()).isEmpty()) {
        target.saveDataset(d);
        copiedDatasets++;
      }
    }
    int copiedWatermarks = 0;
    for (Watermark w : watermarks) {
      if (target.watermark(w.view()).isEmpty()) {
        target.advanceWatermark(w);
        copiedWatermarks++;
      }
    }
    int copiedTokens = 0;
    for (ApiToken t : tokens) {
      if (targetTokens.orElseThrow().find(t.id()).isEmpty()) {
        targetTokens.orElseThrow().create(t);
        copiedTokens++;
      }
    }
    for (AuditEvent e : audit.subList(auditThere.size(), audit.size())) {
      targetAudit.orElseThrow().append(e);
    }
    return new Result(copiedVersions, copiedDatasets, copiedWatermarks, copiedTokens, audit.size() - auditThere.size());
  }

  private QuiverException notACopy(String why) {
    return new QuiverException(targetName + " is not empty and not an earlier copy of this registry: " + why
        + "; copy into an empty registry (nothing was written)");
  }

  private static <T> Optional<T> optional(Supplier<T> part) {
    try {
      return Optional.of(part.get());
    } catch (UnsupportedOperationException none) {
      return Optional.empty();
    }
  }
}
