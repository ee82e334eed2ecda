package dev.quiver.testkit;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.monitor.SkewLog;
import dev.quiver.core.monitor.SkewResult;
import dev.quiver.core.quality.RuleResult;
import dev.quiver.core.quality.ValidationLog;
import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.registry.Watermark;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.AuditLog;
import dev.quiver.core.security.TokenStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A registry store that passes everything to another and fails its {@code k}-th write (counted from
 * 0) before making it, as a process that dies between two writes leaves a store: the writes before
 * it complete, nothing of it. Every write of every kind counts: a commit, a saved dataset, a
 * watermark, a token, one append of audit events, validation or skew results.
 */
final class CrashingStore implements RegistryStore {
  /** The simulated crash. */
  static final class Crash extends RuntimeException {
    Crash(int write) {
      super("simulated crash at write " + write);
    }
  }

  private final RegistryStore delegate;
  private final int failAt;
  private int writes;

  private CrashingStore(RegistryStore delegate, int failAt) {
    this.delegate = delegate;
    this.failAt = failAt;
  }

  static CrashingStore failingWrite(RegistryStore delegate, int failAt) {
    return new CrashingStore(delegate, failAt);
  }

  /** The writes made so far. */
  int writes() {
    return writes;
  }

  private void write() {
    if (writes == failAt) {
      throw new Crash(writes);
    }
    writes++;
  }

  @Override
  public Optional<VersionInfo> head() {
    return delegate.head();
  }

  @Override
  public List<VersionInfo> log() {
    return delegate.log();
  }

  @Override
  public RegistrySnapshot read(long version) {
    return delegate.read(version);
  }

  @Override
  public VersionInfo commit(long expectedHead, Definitions definitions, String author, String message, Instant time) {
    write();
    return delegate.commit(expectedHead, definitions, author, message, time);
  }

  @Override
  public void saveDataset(DatasetRecord dataset) {
    write();
    delegate.saveDataset(dataset);
  }

  @Override
  public List<DatasetRecord> datasets() {
    return delegate.datasets();
  }

  @Override
  public Optional<DatasetRecord> dataset(String name) {
    return delegate.dataset(name);
  }

  @Override
  public Optional<Watermark> watermark(String view) {
    return delegate.watermark(view);
  }

  @Override
  public List<Watermark> watermarks() {
    return delegate.watermarks();
  }

  @Override
  public Watermark advanceWatermark(Watermark proposed) {
    write();
    return delegate.advanceWatermark(proposed);
  }

  @Override
  public Optional<Watermark> resetWatermark(String view) {
    write();
    return delegate.resetWatermark(view);
  }

  @Override
  public AuditLog audit() {
    AuditLog log = delegate.audit();
    return new AuditLog() {
      @Override
      public void append(AuditEvent event) {
        write();
        log.append(event);
      }

      @Override
      public void appendAll(List<AuditEvent> events) {
        write();
        log.appendAll(events);
      }

      @Override
      public List<AuditEvent> read(Instant since, int limit) {
        return log.read(since, limit);
      }
    };
  }

  @Override
  public ValidationLog validationLog() {
    ValidationLog log = delegate.validationLog();
    return new ValidationLog() {
      @Override
      public void append(List<RuleResult> results) {
        write();
        log.append(results);
      }

      @Override
      public List<RuleResult> read(Instant since, String view, int limit) {
        return log.read(since, view, limit);
      }
    };
  }

  @Override
  public SkewLog skewLog() {
    SkewLog log = delegate.skewLog();
    return new SkewLog() {
      @Override
      public void append(List<SkewResult> results) {
        write();
        log.append(results);
      }

      @Override
      public List<SkewResult> read(Instant since, String service, int limit) {
        return log.read(since, service, limit);
      }
    };
  }

  @Override
  public TokenStore tokens() {
    TokenStore tokens = delegate.tokens();
    return new TokenStore() {
      @Override
      public void create(ApiToken token) {
        write();
        tokens.create(token);
      }

      @Override
      public List<ApiToken> list() {
        return tokens.list();
      }

      @Override
      public Optional<ApiToken> find(String id) {
        return tokens.find(id);
      }

      @Override
      public boolean revoke(String id, Instant at) {
        write();
        return tokens.revoke(id, at);
      }
    };
  }

  @Override
  public void close() {} // the delegate is the test's to close

  @Override
  public String toString() {
    return "Crashing[" + delegate + "]";
  }
}
