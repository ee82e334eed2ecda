package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quiver registry log|show}: the registry's audit log and its versions. */
@Command(
    name = "registry",
    description = "Read the registry's versions and audit log.",
    subcommands = {RegistryCommand.Log.class, RegistryCommand.Show.class})
final class RegistryCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code quiver registry log}. */
  @Command(name = "log", description = "Every applied version, newest first: who, when, why, content hash.")
  static final class Log implements Callable<Integer> {
    @Mixin RepoOption repo;
    @Mixin OutputOption output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        List<VersionInfo> log = r.registry().log();
        if (output.json()) {
          ArrayNode arr = Json.MAPPER.createArrayNode();
          log.forEach(v -> arr.add(RegistryCodec.toJson(v)));
          Json.print(arr, out);
          return 0;
        }
        if (log.isEmpty()) {
          out.println("The registry is empty: run 'quiver apply'.");
        }
        for (VersionInfo v : log) {
          out.printf("version %d  %s  %s  %s%n    %s%n", v.version(), v.appliedAt(), v.author(),
              v.contentHash(), v.message().isEmpty() ? "(no message)" : v.message());
        }
        out.flush();
        return 0;
      }
    }
  }

  /** {@code quiver registry show VERSION}. */
  @Command(name = "show", description = "One version: its audit record and everything it defines.")
  static final class Show implements Callable<Integer> {
    @Mixin RepoOption repo;
    @Mixin OutputOption output;

    @Parameters(paramLabel = "VERSION", description = "A version number, or 'latest'.", defaultValue = "latest")
    String version;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        RegistrySnapshot s = Catalog.snapshot(r, version);
        if (output.json()) {
          ObjectNode n = Json.MAPPER.createObjectNode();
          n.set("info", RegistryCodec.toJson(s.info()));
          n.set("definitions", RegistryCodec.toJson(s.definitions()));
          Json.print(n, out);
          return 0;
        }
        VersionInfo v = s.info();
        out.printf("version %d (parent %d) applied %s by %s%n  message: %s%n  content: %s%n%n",
            v.version(), v.parent(), v.appliedAt(), v.author(),
            v.message().isEmpty() ? "(none)" : v.message(), v.contentHash());
        Catalog.printSummary(s.definitions(), out);
        out.flush();
        return 0;
      }
    }
  }
}
