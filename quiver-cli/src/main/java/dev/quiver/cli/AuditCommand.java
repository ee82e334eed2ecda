package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.security.AuditEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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

  /** {@code quiver audit log --since 1h|ISO [--output table|json] [--limit N]}. */
  @Command(name = "log", description = "Audit events since a time, oldest first (the newest N with --limit).")
  static final class Log implements Callable<Integer> {
    enum Format {
      table,
      json
    }

    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "1d",
        description = "A duration back from now (90s, 15m, 1h, 7d) or a time (2026-03-01, 2026-03-01T12:00:00Z). Default 1d.")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "At most the newest N events. Default 1000.")
    int limit;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table (default) or json.")
    Format format;

    @Mixin RepoOption repo;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (limit < 1) {
        throw new QuiverException("--limit must be at least 1, not " + limit);
      }
      Instant from = from(since);
      PrintWriter out = spec.commandLine().getOut();
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        List<AuditEvent> all;
        try {
          all = r.registry().audit().read(from, Integer.MAX_VALUE);
        } catch (UnsupportedOperationException e) {
          throw new QuiverException("this registry store keeps no audit log; the file registry does (registry: {type: file})");
        }
        List<AuditEvent> events = all.subList(Math.max(0, all.size() - limit), all.size());
        if (format == Format.json) {
          ArrayNode arr = Json.MAPPER.createArrayNode();
          for (AuditEvent e : events) {
            ObjectNode n = arr.addObject();
            n.put("time", e.time().toString());
            n.put("principal", e.principal());
            n.put("method", e.method());
            n.put("action", e.action());
            n.put("resource", e.resource());
            n.put("client", e.client());
            n.put("outcome", e.outcome());
            n.put("detail", e.detail());
          }
          Json.print(arr, out);
          return 0;
        }
        if (events.isEmpty()) {
          out.println("No audit events since " + from + ".");
          out.flush();
          return 0;
        }
        Table t = new Table("TIME", "PRINCIPAL", "METHOD", "ACTION", "RESOURCE", "CLIENT", "OUTCOME", "DETAIL");
        for (AuditEvent e : events) {
          t.add(e.time().toString(), e.principal(), e.method(), e.action(), e.resource(), e.client(), e.outcome(), e.detail());
        }
        t.print(out);
        if (all.size() > events.size()) {
          out.printf("(the newest %d of %d events since %s; --limit N shows more)%n", events.size(), all.size(), from);
          out.flush();
        }
        return 0;
      }
    }

    /** A duration back from now, or a time. */
    static Instant from(String text) {
      Duration back = Durations.parse(text.strip()).orElse(null);
      if (back != null) {
        return Instant.now().minus(back);
      }
      try {
        return Times.parse(text);
      } catch (QuiverException e) {
        throw new QuiverException("--since '" + text + "' is neither a duration (90s, 15m, 1h, 7d) nor a time"
            + " (2026-03-01, 2026-03-01T12:00:00Z)");
      }
    }
  }
}
