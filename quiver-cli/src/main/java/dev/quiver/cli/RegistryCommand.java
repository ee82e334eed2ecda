package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.load.DefinitionLoader;
import dev.quiver.core.load.RepoConfig;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistryCopy;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.RegistryStores;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quiver registry log|show|copy}: the registry's audit log and its versions; moving it. */
@Command(
    name = "registry",
    description = "Read the registry's versions and audit log; copy it into another store.",
    subcommands = {RegistryCommand.Log.class, RegistryCommand.Show.class, RegistryCommand.Copy.class})
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

  /** {@code quiver registry copy --to SPEC}. */
  @Command(
      name = "copy",
      description = {
        "Copy the whole registry (versions with their numbers, authors, messages and times; datasets;"
            + " watermarks; API tokens; audit log; validation results; skew results) into another, empty registry.",
        "A copy that stopped midway is continued by running it again."})
  static final class Copy implements Callable<Integer> {
    @Mixin RepoOption repo;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "DIR|SPEC",
        description = "A feature repo folder whose quiver.yaml names the target registry, or a registry"
            + " section: '{type: postgres, url: jdbc:postgresql://host:5432/db, user: quiver,"
            + " password: $${PGPASSWORD}}' (secrets as in quiver.yaml).")
    String to;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        Path dir = targetDir(r.config().root());
        Map<String, Object> options;
        Path targetRoot;
        if (dir != null) {
          RepoConfig config = new DefinitionLoader().loadConfig(dir);
          options = config.registry();
          targetRoot = config.root();
        } else {
          options = new DefinitionLoader().readRegistrySpec(to, "--to", r.config().root());
          targetRoot = r.config().root();
        }
        String type = String.valueOf(options.getOrDefault("type", "file"));
        try (RegistryStore target = RegistryStores.open(options, targetRoot)) {
          // stores name themselves as Type[where]: keep the where (never holds credentials)
          String name = "the " + type + " registry " + target.toString().replaceFirst("^\\w+\\[(.*)\\]$", "$1");
          RegistryCopy.Result result = new RegistryCopy(r.registry(), target, name).run();
          out.printf("Copied %s into %s.%n", result.copied().describe(), name);
          if (!result.alreadyThere().isEmpty()) {
            out.printf("Already there from an earlier copy: %s.%n", result.alreadyThere().describe());
          }
          out.flush();
          return 0;
        }
      }
    }

    /** The folder {@code --to} names, when it names a folder holding quiver.yaml; else null. */
    private Path targetDir(Path root) {
      if (to.strip().startsWith("{")) {
        return null;
      }
      Path dir;
      try {
        dir = root.resolve(Path.of(to.strip()));
      } catch (InvalidPathException notAPath) {
        return null;
      }
      if (Files.isDirectory(dir)) {
        if (!Files.isRegularFile(dir.resolve("quiver.yaml"))) {
          throw new QuiverException("--to " + to + " is a folder without a quiver.yaml; give a feature"
              + " repo whose quiver.yaml names the target registry, or a registry section such as"
              + " '{type: postgres, url: jdbc:postgresql://host:5432/db}'");
        }
        return dir;
      }
      return null;
    }
  }
}
