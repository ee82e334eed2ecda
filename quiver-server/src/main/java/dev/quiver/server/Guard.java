package dev.quiver.server;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.security.AccessDeniedException;
import dev.quiver.core.security.Action;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.core.security.Authorizer;
import dev.quiver.core.security.Decision;
import dev.quiver.core.security.Resource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Authorization and audit at the server's edge: decides with the {@link Authorizer} of the registry
 * version being served (a newly applied permission takes effect at the next registry poll), names
 * the resources a request acts on with their definitions' tags, and records audit events (denials,
 * pushes, writes, materializations, deletions) without blocking the request ({@link AuditTrail}).
 *
 * <p>A denial is recorded and thrown as an {@link AccessDeniedException} (HTTP 403, gRPC {@code
 * PERMISSION_DENIED}). Thread-safe.
 */
public final class Guard {
  /** Allows everything and records nothing: for front ends tested without a server. */
  public static final Guard OPEN = new Guard(null, new AuditTrail(null), Clock.systemUTC());

  private final LiveRegistry live;
  private final AuditTrail trail;
  private final Clock clock;

  Guard(LiveRegistry live, AuditTrail trail, Clock clock) {
    this.live = live;
    this.trail = trail;
    this.clock = clock;
  }

  private LiveRegistry.State state() {
    return live == null ? null : live.current();
  }

  private Authorizer authorizer() {
    LiveRegistry.State s = state();
    return s == null ? Authorizer.allowAll() : s.authorizer();
  }

  private Definitions definitions() {
    LiveRegistry.State s = state();
    return s == null ? null : s.snapshot().map(x -> x.definitions()).orElse(null);
  }

  /**
   * Checks that the caller may do {@code action} on every resource.
   *
   * @throws AccessDeniedException on the first one it may not; the denial is recorded
   */
  public void check(Caller caller, Action action, List<Resource> resources) {
    check(authorizer(), caller, action, resources);
  }

  /** {@link #check(Caller, Action, List)} against one authorizer (the one of the version a read uses). */
  void check(Authorizer authorizer, Caller caller, Action action, List<Resource> resources) {
    for (Resource r : resources) {
      Decision d = authorizer.decide(caller.principal(), action, r);
      if (!d.allowed()) {
        record(caller, action.wireName(), r.toString(), "denied", "rule " + d.rule() + ": " + d.reason());
        throw new AccessDeniedException(caller.principal(), action, r, d);
      }
    }
  }

  /** Whether the caller may do it; nothing is recorded (for filtering lists). */
  public boolean permits(Caller caller, Action action, Resource resource) {
    return authorizer().decide(caller.principal(), action, resource).allowed();
  }

  /**
   * The feature views named in a request ({@code name} or {@code name@vN}), with their tags; every
   * online view of the served version when {@code names} is empty. A name the registry does not
   * know is a resource without tags (the request then fails as not found, if it is allowed at all).
   */
  public List<Resource> views(List<String> names) {
    Definitions d = definitions();
    List<Resource> out = new ArrayList<>();
    if (names.isEmpty()) {
      if (d != null) {
        d.views().stream().filter(FeatureView::online).map(FeatureView::name).distinct()
            .forEach(n -> out.add(view(d, n, 0)));
      }
      return out;
    }
    for (String n : names) {
      VersionedName v = VersionedName.parse(n).orElse(new VersionedName(n, 0));
      out.add(view(d, v.name(), v.version()));
    }
    return out;
  }

  /** A source of the served version, with its tags. */
  public Resource source(String name) {
    Definitions d = definitions();
    Metadata m = d == null ? null : d.source(name).map(s -> s.metadata()).orElse(null);
    return new Resource(Resource.Kind.SOURCE, name, tags(m));
  }

  /** What an online read by feature refs reads: each view or on-demand view once, with its tags. */
  static List<Resource> read(Definitions d, List<FeatureRef> refs) {
    Set<String> seen = new LinkedHashSet<>();
    List<Resource> out = new ArrayList<>();
    for (FeatureRef r : refs) {
      if (!seen.add(r.view() + "@" + r.version())) {
        continue;
      }
      var odv = d.view(r.view(), r.version()).isPresent() ? null : d.onDemandView(r.view(), r.version()).orElse(null);
      out.add(odv != null ? new Resource(Resource.Kind.ON_DEMAND_VIEW, odv.name(), tags(odv.metadata()))
          : view(d, r.view(), r.version()));
    }
    return out;
  }

  /**
   * What a training set by feature refs reads, against the served version: each view or on-demand
   * view once, with its tags (a name the registry does not know is a resource without tags).
   */
  public List<Resource> reads(List<FeatureRef> refs) {
    Definitions d = definitions();
    if (d == null) {
      return refs.stream().map(r -> r.view()).distinct().map(n -> new Resource(Resource.Kind.FEATURE_VIEW, n, Map.of())).toList();
    }
    return read(d, refs);
  }

  /** A feature service, with its tags. */
  static Resource service(Definitions d, String name, int version) {
    Metadata m = d.service(name, version).map(s -> s.metadata()).orElse(null);
    return new Resource(Resource.Kind.FEATURE_SERVICE, name, tags(m));
  }

  private static Resource view(Definitions d, String name, int version) {
    Metadata m = d == null ? null : d.view(name, version).map(FeatureView::metadata).orElse(null);
    return new Resource(Resource.Kind.FEATURE_VIEW, name, tags(m));
  }

  private static Map<String, String> tags(Metadata m) {
    return m == null ? Map.of() : m.tags();
  }

  /**
   * Records an audit event for the caller; never blocks.
   *
   * @param action an {@link Action#wireName()} or an event name
   * @param outcome {@code ok}, {@code denied} or {@code failed}
   * @param detail one line; a value read from a secret in quiver.yaml is masked (an error message may quote one)
   */
  public void record(Caller caller, String action, String resource, String outcome, String detail) {
    trail.record(new AuditEvent(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS), caller.principal().name(), caller.principal().method(), action,
        resource, caller.address(), outcome, dev.quiver.core.load.Secrets.redact(detail)));
  }
}
