package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.monitor.SkewResult;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.registry.RegistryCopy;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.Watermark;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.AuditEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link RegistryCopy} must do between two registry stores: carry every kind of record a store
 * keeps (versions, datasets, watermarks, API tokens, audit events, validation results, skew results),
 * continue after a crash at any point without duplicating or losing a record, and refuse a target that
 * holds anything else. A test extends it and says how to open an empty source and an empty target
 * (of the same type or of two types).
 *
 * <p>A crash is simulated by a target that fails its {@code k}-th write (every write before it is
 * complete, as when a process dies between two writes); the copy is then run again on the real
 * target. Logs are filled past one copy batch so a crash can fall between two batches of a log.
 */
public abstract class RegistryCopyContract {
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456Z");

  private final List<RegistryStore> opened = new ArrayList<>();

  /** A new, empty store to copy from. */
  protected abstract RegistryStore newSource();

  /** A new, empty store to copy into, independent of every store opened before. */
  protected abstract RegistryStore newTarget();

  private RegistryStore source;

  @BeforeEach
  final void fillSource() {
    source = track(newSource());
    fill(source, new Random(42));
  }

  @AfterEach
  final void closeStores() {
    opened.forEach(RegistryStore::close);
    opened.clear();
  }

  private RegistryStore track(RegistryStore s) {
    opened.add(s);
    return s;
  }

  /** Every kind of record; the audit log out of time order (as concurrent appenders leave it). */
  static void fill(RegistryStore s, Random random) {
    for (int v = 1; v <= 3; v++) {
      s.commit(v - 1, SampleDefinitions.sample(v), "author-" + v, "change " + v, T0.plusSeconds(v));
    }
    s.saveDataset(SampleDatasets.sample("fraud_train", 1, "ana", T0));
    s.saveDataset(SampleDatasets.sample("fraud_eval", 2, "bo", T0.plusSeconds(9)));
    s.advanceWatermark(new Watermark("user_txn@v1", T0, 2, "ana", T0));
    s.advanceWatermark(new Watermark("merchant@v2", T0.plusSeconds(5), 3, "bo", T0));
    s.tokens().create(new ApiToken("q1", "ci", Set.of("reader"), "ab".repeat(32), T0, Optional.empty(), Optional.empty()));
    s.tokens().create(new ApiToken("q2", "ana", Set.of("admin", "writer"), "cd".repeat(32), T0.plusSeconds(1),
        Optional.of(T0.plusSeconds(86_400)), Optional.empty()));
    s.tokens().revoke("q2", T0.plusSeconds(60));
    for (int i = 0; i < 7; i++) {
      s.audit().append(new AuditEvent(T0.plusMillis(random.nextInt(5_000)), "p" + i, "token", "push",
          "feature_view user_txn", "10.0.0." + i, i % 3 == 0 ? "denied" : "ok", i == 3 ? "" : "detail \"" + i + "\"\n"));
    }
    s.audit().append(new AuditEvent(T0, "same", "local", "apply", "registry *", "cli", "ok", "twice")); // equal events
    s.audit().append(new AuditEvent(T0, "same", "local", "apply", "registry *", "cli", "ok", "twice"));
    for (int run = 0; run < 3; run++) { // 1,200 results: more than one copy batch
      List<RuleResult> results = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        results.add(new RuleResult(T0.plusSeconds(run * 1000L + random.nextInt(100)), run == 1 ? "push" : "materialize",
            "user_txn@v" + (1 + run % 2), i % 5 == 0 ? null : "f" + (i % 7), i % 5 == 0 ? "row_count" : "min", "0",
            "warn", 100 + i, i % 11, i % 4 == 0 ? List.of() : List.of("-" + i, "\"q\"\nline"),
            RuleResult.Outcome.values()[(i + run) % 4]));
      }
      s.validationLog().append(results);
    }
    for (int run = 0; run < 2; run++) {
      List<SkewResult> results = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        results.add(new SkewResult(T0.plusSeconds(3600L * run), "fraud", "user_txn__f" + i,
            run == 0 ? null : T0.minusSeconds(86_400), i == 1 ? null : T0.plusNanos(1_000L * i), 1_000 + i, i * run,
            i == 0 ? List.of() : List.of("user_id=" + i + ": served 1.5, offline 2.5")));
      }
      s.skewLog().append(results);
    }
  }

  private static RegistryCopy.Counts counts(RegistryStore s) {
    return new RegistryCopy.Counts(s.log().size(), s.datasets().size(), s.watermarks().size(), s.tokens().list().size(),
        s.audit().read(Instant.MIN, Integer.MAX_VALUE).size(), s.validationLog().read(Instant.MIN, null, Integer.MAX_VALUE).size(),
        s.skewLog().read(Instant.MIN, null, Integer.MAX_VALUE).size());
  }

  /** The target holds what the source holds: every kind, each log record once. */
  private void assertSameContent(RegistryStore target) {
    assertThat(target.log()).isEqualTo(source.log());
    for (long v = 1; v <= source.log().size(); v++) {
      assertThat(target.read(v).definitions()).isEqualTo(source.read(v).definitions());
    }
    assertThat(target.datasets()).isEqualTo(source.datasets());
    assertThat(target.watermarks()).isEqualTo(source.watermarks());
    assertThat(target.tokens().list()).containsExactlyInAnyOrderElementsOf(source.tokens().list());
    assertThat(target.audit().read(Instant.MIN, Integer.MAX_VALUE))
        .containsExactlyInAnyOrderElementsOf(source.audit().read(Instant.MIN, Integer.MAX_VALUE));
    // validation and skew results are read in append order by every store: the same order
    assertThat(target.validationLog().read(Instant.MIN, null, Integer.MAX_VALUE))
        .isEqualTo(source.validationLog().read(Instant.MIN, null, Integer.MAX_VALUE));
    assertThat(target.skewLog().read(Instant.MIN, null, Integer.MAX_VALUE))
        .isEqualTo(source.skewLog().read(Instant.MIN, null, Integer.MAX_VALUE));
  }

  @Test
  public void everyKindOfRecordIsCopiedAndASecondRunCopiesNothing() {
    RegistryStore target = track(newTarget());
    RegistryCopy.Counts all = counts(source);
    assertThat(all).isEqualTo(new RegistryCopy.Counts(3, 2, 2, 2, 9, 1_200, 6));

    RegistryCopy.Result first = new RegistryCopy(source, target, "the target").run();

    assertThat(first.copied()).isEqualTo(all);
    assertThat(first.alreadyThere().isEmpty()).isTrue();
    assertSameContent(target);

    RegistryCopy.Result second = new RegistryCopy(source, target, "the target").run();
    assertThat(second.copied().isEmpty()).isTrue();
    assertThat(second.alreadyThere()).isEqualTo(all);
    assertSameContent(target);
  }

  @Test
  public void aCopyThatCrashesAtAnyWriteContinuesWhenRunAgain() {
    RegistryCopy.Counts all = counts(source);
    int writes = 3 + 2 + 2 + 3 + 1 + 3 + 1; // versions, datasets, watermarks, tokens and a revocation, log batches
    Random random = new Random(7);
    List<Integer> crashes = new ArrayList<>(List.of(0, 1, 9, writes - 5, writes - 4, writes - 2, writes - 1)); // 9: before the revocation
    for (int i = 0; i < 4; i++) {
      crashes.add(random.nextInt(writes));
    }
    for (int crashAt : crashes) {
      RegistryStore target = track(newTarget());
      assertThatThrownBy(() -> new RegistryCopy(source, CrashingStore.failingWrite(target, crashAt), "the target").run())
          .as("crash at write %d", crashAt).isInstanceOf(CrashingStore.Crash.class);

      RegistryCopy.Result again = new RegistryCopy(source, target, "the target").run();

      assertThat(plus(again.copied(), again.alreadyThere())).as("crash at write %d", crashAt).isEqualTo(all);
      assertThat(again.copied().isEmpty()).as("crash at write %d", crashAt).isFalse();
      assertSameContent(target);
    }
    CrashingStore counted = CrashingStore.failingWrite(track(newTarget()), Integer.MAX_VALUE);
    new RegistryCopy(source, counted, "the target").run();
    assertThat(counted.writes()).as("writes of a whole copy").isEqualTo(writes);
  }

  private static RegistryCopy.Counts plus(RegistryCopy.Counts a, RegistryCopy.Counts b) {
    return new RegistryCopy.Counts(a.versions() + b.versions(), a.datasets() + b.datasets(), a.watermarks() + b.watermarks(),
        a.tokens() + b.tokens(), a.auditEvents() + b.auditEvents(), a.validationResults() + b.validationResults(),
        a.skewResults() + b.skewResults());
  }

  @Test
  public void aTargetHoldingAnyOtherRecordIsRefusedAndLeftUnchanged() {
    List<Consumer<RegistryStore>> foreign = List.of(
        t -> t.commit(0, SampleDefinitions.sample(9), "someone", "their own", T0),
        t -> t.saveDataset(SampleDatasets.sample("other", 3, "x", T0)),
        t -> t.advanceWatermark(new Watermark("user_txn@v1", T0.plusSeconds(1), 2, "ana", T0)),
        t -> t.tokens().create(new ApiToken("zz", "x", Set.of(), "ef".repeat(32), T0, Optional.empty(), Optional.empty())),
        t -> t.audit().append(new AuditEvent(T0, "x", "local", "apply", "registry *", "cli", "ok", "")),
        t -> t.validationLog().append(List.of(new RuleResult(T0, "push", "v@v1", null, "row_count", "1..", "warn", 1, 0,
            List.of(), RuleResult.Outcome.PASSED))),
        t -> t.skewLog().append(List.of(new SkewResult(T0, "s", "f", null, null, 1, 0, List.of()))));
    List<String> named = List.of("registry version 1", "dataset 'other'", "watermark of user_txn@v1", "API token zz",
        "audit log", "validation results", "skew results");
    for (int i = 0; i < foreign.size(); i++) {
      RegistryStore target = track(newTarget());
      foreign.get(i).accept(target);
      RegistryCopy.Counts before = counts(target);

      assertThatThrownBy(() -> new RegistryCopy(source, target, "the target").run())
          .isInstanceOf(QuiverException.class)
          .hasMessageStartingWith("the target is not empty and not an earlier copy of this registry: ")
          .hasMessageContaining(named.get(i))
          .hasMessageEndingWith("; copy into an empty registry (nothing was written)");
      assertThat(counts(target)).isEqualTo(before);
    }
  }

  @Test
  public void aLogLongerThanTheSourcesIsRefused() {
    RegistryStore target = track(newTarget());
    new RegistryCopy(source, target, "the target").run();
    target.skewLog().append(List.of(new SkewResult(T0, "s", "f", null, null, 1, 0, List.of())));

    assertThatThrownBy(() -> new RegistryCopy(source, target, "the target").run())
        .hasMessageContaining("its skew results (7 records) is not the start of the source's (6 records)");
  }
}
