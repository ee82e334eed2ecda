package dev.quiver.core.load;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.Origin;
import dev.quiver.core.Problem;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Definitions;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a feature repo from disk: {@code quiver.yaml} and every definition file under the folders
 * it names (by default the whole repo, skipping hidden folders, {@code data} and {@code target}).
 *
 * <p>Loading checks shape only: keys, value kinds, spellings of types and durations. Cross-references,
 * types against the data and expressions are checked by the validator. Every problem found is
 * reported at once in a {@link DefinitionException}, each with file and line. Stateless and
 * thread-safe.
 */
public final class DefinitionLoader {
  /** The name of the repo configuration file. */
  public static final String CONFIG_FILE = "quiver.yaml";

  private static final List<String> CONFIG_KEYS =
      List.of("project", "registry", "offline", "online", "definitions", "classpath", "server", "feature_logging",
          "monitoring");

  private final Function<String, String> environment;

  /** A loader reading secret references ({@code ${ENV_VAR}}) from this process's environment. */
  public DefinitionLoader() {
    this(System::getenv);
  }

  /**
   * A loader reading {@code ${ENV_VAR}} references in {@code quiver.yaml} through {@code
   * environment} (name to value, null when unset), for embedding and tests.
   */
  public DefinitionLoader(Function<String, String> environment) {
    this.environment = java.util.Objects.requireNonNull(environment, "environment");
  }

  /**
   * Loads the repo at {@code root}.
   *
   * @throws DefinitionException listing every problem found
   * @throws QuiverException when the repo has no {@code quiver.yaml} or a file cannot be read
   */
  public LoadedRepo load(Path root) {
    Path absRoot = root.toAbsolutePath().normalize();
    List<Problem> problems = new ArrayList<>();
    RepoConfig config = readConfig(absRoot, configPath(root), problems);
    List<Path> files = definitionFiles(absRoot, config.definitions(), problems);
    Origins origins = new Origins();
    DefinitionReader reader = new DefinitionReader(problems, origins);
    Definitions.Builder builder = Definitions.builder(config.project());
    for (Path file : files) {
      String shown = absRoot.relativize(file).toString();
      for (Node doc : compose(file, shown, problems)) {
        reader.readFile(shown, doc, builder);
      }
    }
    if (!problems.isEmpty()) {
      throw new DefinitionException(problems.stream().sorted().toList());
    }
    List<Path> relative = files.stream().map(absRoot::relativize).toList();
    return new LoadedRepo(config, builder.build(), origins, relative);
  }

  /**
   * Reads only {@code quiver.yaml}.
   *
   * @throws DefinitionException when it is malformed
   * @throws QuiverException when the repo has no {@code quiver.yaml}
   */
  public RepoConfig loadConfig(Path root) {
    return readConfig(root.toAbsolutePath().normalize(), configPath(root), new ArrayList<>());
  }

  /**
   * Reads a registry section written on the command line ({@code quiver registry copy --to}), a
   * YAML mapping such as {@code {type: postgres, url: jdbc:postgresql://db:5432/features, password:
   * ${PGPASSWORD}}}, with secret references resolved as in {@code quiver.yaml} ({@code ${file:PATH}}
   * relative to {@code root}).
   *
   * @param shown how problems name where the text came from: {@code --to}
   * @throws DefinitionException when it is not a mapping of single values or a reference cannot be
   *     resolved; the message never holds a secret's value
   */
  public Map<String, Object> readRegistrySpec(String text, String shown, Path root) {
    List<Problem> problems = new ArrayList<>();
    Node doc;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(true);
      doc = new Yaml(options).compose(new java.io.StringReader(text));
    } catch (MarkedYAMLException e) {
      throw new DefinitionException(new Problem(new Origin(shown, 0), "not a YAML mapping: "
          + e.getProblem() + "; write it as {type: postgres, url: jdbc:postgresql://host:5432/db, ...}"));
    }
    if (doc == null || !YamlMap.isMap(doc)) {
      throw new DefinitionException(new Problem(new Origin(shown, 0), "'" + Secrets.redact(text)
          + "' is neither a feature repo folder nor a registry mapping such as {type: postgres, url:"
          + " jdbc:postgresql://host:5432/db}"));
    }
    YamlMap m = new YamlMap(shown, doc, problems);
    SecretReferences secrets = new SecretReferences(root.toAbsolutePath().normalize(), environment);
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : m.keys()) {
      String v = m.string(k);
      out.put(k, v == null ? "" : secrets.resolve(v, "registry." + k, new Origin(shown, 0), problems));
    }
    if (!problems.isEmpty()) {
      throw new DefinitionException(problems);
    }
    return out;
  }

  private static Path configPath(Path root) {
    Path absRoot = root.toAbsolutePath().normalize();
    Path configPath = absRoot.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(configPath)) {
      throw new QuiverException(
          "no " + CONFIG_FILE + " in " + absRoot + ": this is not a feature repo; create one with"
              + " 'quiver init " + root + "' or pass --repo DIR");
    }
    return configPath;
  }

  private RepoConfig readConfig(Path root, Path configPath, List<Problem> problems) {
    List<Node> docs = compose(configPath, CONFIG_FILE, problems);
    if (docs.isEmpty() || !YamlMap.isMap(docs.getFirst())) {
      problems.add(new Problem(new Origin(CONFIG_FILE, 1), "quiver.yaml must be a mapping with at least 'project: NAME'"));
      throw new DefinitionException(problems);
    }
    YamlMap m = new YamlMap(CONFIG_FILE, docs.getFirst(), problems);
    m.allowOnly("quiver.yaml", CONFIG_KEYS);
    String project = m.required("project", "quiver.yaml");
    if (project != null && !dev.quiver.core.Names.isValid(project)) {
      m.problem(m.origin("project"), "project name '" + project + "' is invalid: " + dev.quiver.core.Names.rule());
    }
    List<String> definitions = m.has("definitions") ? m.strings("definitions") : List.of(".");
    List<String> classpath = m.has("classpath") ? m.strings("classpath") : List.of();
    SecretReferences secrets = new SecretReferences(root, environment);
    RepoConfig config =
        new RepoConfig(
            root,
            project == null ? "invalid" : project,
            section(m, "registry", secrets),
            section(m, "offline", secrets),
            section(m, "online", secrets),
            definitions,
            classpath,
            section(m, "server", secrets),
            section(m, "feature_logging", secrets),
            section(m, "monitoring", secrets));
    if (config.monitoring().get("skew") instanceof Map<?, ?> skew) {
      try {
        dev.quiver.core.monitor.SkewSchedule.of(skew);
      } catch (IllegalArgumentException e) {
        m.problem(m.origin("monitoring"), "monitoring.skew: " + e.getMessage());
      }
    } else if (config.monitoring().containsKey("skew")) {
      m.problem(m.origin("monitoring"), "monitoring.skew must be a mapping, e.g. {every: 1h, lookback: 1h}");
    }
    for (String k : config.monitoring().keySet()) {
      if (!k.equals("skew")) {
        m.problem(m.origin("monitoring"), "monitoring has no check '" + k + "'; the one there is: skew");
      }
    }
    if (!problems.isEmpty()) {
      throw new DefinitionException(problems);
    }
    return config;
  }

  /**
   * A section's values as strings, in file order, with secret references ({@code ${ENV_VAR}},
   * {@code ${file:PATH}}) replaced; empty when the section is absent. In {@code offline} and {@code monitoring}, a value may
   * also be a mapping of single values (the engine's {@code conf}), resolved the same way, as a map of
   * strings.
   */
  private static Map<String, Object> section(YamlMap m, String key, SecretReferences secrets) {
    Map<String, Object> out = new LinkedHashMap<>();
    YamlMap section = m.map(key);
    if (section == null) {
      return out;
    }
    for (String k : section.keys()) {
      if ((key.equals("offline") || key.equals("monitoring")) && section.raw(k) != null && YamlMap.isMap(section.raw(k))) {
        YamlMap inner = section.map(k);
        Map<String, Object> values = new LinkedHashMap<>();
        for (String ik : inner.keys()) {
          String v = inner.string(ik);
          Origin at = inner.raw(ik) == null ? inner.origin(ik) : inner.origin(inner.raw(ik));
          values.put(ik, v == null ? "" : secrets.resolve(v, key + "." + k + "." + ik, at, m.problems()));
        }
        out.put(k, values);
        continue;
      }
      String v = section.string(k);
      Origin at = section.raw(k) == null ? section.origin(k) : section.origin(section.raw(k));
      out.put(k, v == null ? "" : secrets.resolve(v, key + "." + k, at, m.problems()));
    }
    return out;
  }

  private static List<Path> definitionFiles(Path root, List<String> roots, List<Problem> problems) {
    List<Path> files = new ArrayList<>();
    for (String r : roots) {
      Path start = root.resolve(r).normalize();
      if (Files.isRegularFile(start)) {
        files.add(start);
        continue;
      }
      if (!Files.isDirectory(start)) {
        problems.add(new Problem(new Origin(CONFIG_FILE, 0), "definitions folder '" + r + "' does not exist; fix 'definitions' in quiver.yaml"));
        continue;
      }
      try {
        Files.walkFileTree(
            start,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String n = dir.getFileName() == null ? "" : dir.getFileName().toString();
                boolean skip =
                    !dir.equals(start) && (n.startsWith(".") || n.equals("data") || n.equals("target"));
                return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String n = file.getFileName().toString();
                if ((n.endsWith(".yaml") || n.endsWith(".yml")) && !file.equals(root.resolve(CONFIG_FILE))) {
                  files.add(file);
                }
                return FileVisitResult.CONTINUE;
              }
            });
      } catch (IOException e) {
        throw new QuiverException("cannot read definitions under " + start + ": " + e.getMessage(), e);
      }
    }
    return files.stream().distinct().sorted().toList();
  }

  private static List<Node> compose(Path file, String shown, List<Problem> problems) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // reported by YamlMap with a line number instead
    options.setCodePointLimit(16 * 1024 * 1024);
    Yaml yaml = new Yaml(options);
    List<Node> docs = new ArrayList<>();
    String text;
    try {
      byte[] bytes = Files.readAllBytes(file);
      try {
        text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
      } catch (java.nio.charset.CharacterCodingException notUtf8) {
        String lenient = new String(bytes, StandardCharsets.UTF_8); // invalid bytes become U+FFFD
        int bad = lenient.indexOf('\uFFFD');
        int line = 1 + (int) lenient.substring(0, Math.max(0, bad)).chars().filter(c -> c == '\n').count();
        problems.add(new Problem(new Origin(shown, line), "the file is not UTF-8 text (an invalid byte on this line);"
            + " save it as UTF-8"));
        return docs;
      }
    } catch (IOException e) {
      throw new QuiverException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try (Reader in = new java.io.StringReader(text)) {
      for (Node n : yaml.composeAll(in)) {
        if (n != null) {
          docs.add(n);
        }
      }
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      problems.add(new Problem(new Origin(shown, line), "not valid YAML: " + e.getProblem()
          + (e.getContext() == null ? "" : " (" + e.getContext() + ")")));
    } catch (IOException e) {
      throw new QuiverException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      problems.add(new Problem(new Origin(shown, 0), "not valid YAML: " + e.getMessage()));
    }
    return docs;
  }
}
