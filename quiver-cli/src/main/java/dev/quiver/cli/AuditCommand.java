package dev.quiver.cli;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.security.AuditEvent;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code quiver audit log}: the registry store's audit log. */
@Command(name = "audit", description = "Read the audit log: applies, pushes, materializations, saved datasets, denials.",
    subcommands = {AuditCommand.Log.class})
final class AuditCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code quiver audit log [--since WHEN] [--until WHEN] [--limit N] [--output table|json]}. */
  @Command(name = "log", description = "Audit events since a time, oldest first (the newest N with --limit).")
  static final class Log implements Callable<Integer> {
    @Mixin RecordListing listing;
    @Mixin RepoOption repo;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        listing.print(new RecordListing.Kind<AuditEvent>("audit events", "",
            from -> r.registry().audit().read(from, Integer.MAX_VALUE), AuditEvent::time,
            (e, n) -> n.put("time", e.time().toString()).put("principal", e.principal()).put("method", e.method())
                .put("action", e.action()).put("resource", e.resource()).put("client", e.client())
                .put("outcome", e.outcome()).put("detail", e.detail()),
            new String[] {"TIME", "PRINCIPAL", "METHOD", "ACTION", "RESOURCE", "CLIENT", "OUTCOME", "DETAIL"},
            e -> new String[] {e.time().toString(), e.principal(), e.method(), e.action(), e.resource(), e.client(),
                e.outcome(), e.detail()}),
            "1d", spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
      }
    }
  }
}
