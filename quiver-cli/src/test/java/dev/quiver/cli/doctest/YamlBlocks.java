package dev.quiver.cli.doctest;

import dev.quiver.core.QuiverException;
import dev.quiver.core.repo.FeatureRepo;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * YAML blocks, checked as the loader sees them in the tour's repo: a block of definition sections
 * ({@code entities:}, {@code feature_views:}, ...) is merged into the tour's {@code
 * features/payments.yaml} (an item replaces the tour's item of the same kind and name, others are
 * added), and any other block is {@code quiver.yaml} keys, which replace those of the tour's {@code
 * quiver.yaml} (a block with {@code project:} is a whole {@code quiver.yaml}). The result must pass
 * {@code quiver plan} against an empty registry, with the page's compiled Java classes (custom
 * transforms) on the classpath. Several YAML documents in one block ({@code ---}) are alternatives,
 * each checked alone. The page's own repo is not changed.
 */
final class YamlBlocks {
  private static final Set<String> DEFINITION_KEYS =
      Set.of("entities", "sources", "feature_views", "on_demand_views", "feature_services", "permissions");

  private YamlBlocks() {}

  static void check(DocSession session, DocBlock block) throws IOException {
    List<Object> docs = new ArrayList<>();
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      new Yaml(options).loadAll(block.text()).forEach(docs::add);
    } catch (RuntimeException e) {
      throw new AssertionError(block.where() + ": not valid YAML: " + e.getMessage());
    }
    for (int k = 0; k < docs.size(); k++) {
      String where = block.where() + (docs.size() > 1 ? " (document " + (k + 1) + ")" : "");
      if (!(docs.get(k) instanceof Map<?, ?> doc)) {
        throw new AssertionError(where + ": a YAML example must be a mapping of quiver.yaml keys or definition sections");
      }
      Path context = session.state.resolve("yaml-" + block.line() + "-" + k);
      Files.createDirectories(context.resolve("features"));
      Files.createSymbolicLink(context.resolve("data"), session.tourRepo.resolve("data"));
      Map<String, Object> config = load(session.tourRepo.resolve("quiver.yaml"));
      Map<String, Object> definitions = load(session.tourRepo.resolve("features/payments.yaml"));
      if (DEFINITION_KEYS.containsAll(doc.keySet())) {
        merge(definitions, doc, where);
      } else if (doc.keySet().stream().noneMatch(DEFINITION_KEYS::contains)) { // quiver.yaml: its loader judges the keys
        if (doc.containsKey("project")) {
          config.clear();
        }
        doc.forEach((key, value) -> config.put((String) key, value));
      } else {
        throw new AssertionError(where + ": a block mixes definition sections " + DEFINITION_KEYS
            + " with other keys " + doc.keySet() + "; quiver.yaml keys go in a block of their own");
      }
      Files.writeString(context.resolve("quiver.yaml"), dump(config));
      Files.writeString(context.resolve("features/payments.yaml"), dump(definitions));
      plan(session, context, where);
    }
  }

  private static void plan(DocSession session, Path context, String where) throws IOException {
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    try (URLClassLoader transforms = new URLClassLoader(new URL[] {session.classes.toUri().toURL()}, before)) {
      thread.setContextClassLoader(transforms);
      try (FeatureRepo repo = FeatureRepo.open(context)) {
        repo.plan(false);
      }
    } catch (QuiverException e) {
      throw new AssertionError(where + ": 'quiver plan' refuses it in the tour's repo (" + context + "):\n" + e.getMessage());
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> definitions, Map<?, ?> fragment, String where) {
    fragment.forEach((section, value) -> {
      if (!(value instanceof List<?> items)) {
        throw new AssertionError(where + ": '" + section + "' must be a list");
      }
      List<Object> target = (List<Object>) definitions.computeIfAbsent((String) section, s -> new ArrayList<>());
      for (Object item : items) {
        Object name = item instanceof Map<?, ?> m ? m.get("name") : null;
        int at = -1;
        for (int i = 0; i < target.size() && name != null; i++) {
          if (target.get(i) instanceof Map<?, ?> t && name.equals(t.get("name"))) {
            at = i;
            break;
          }
        }
        if (at >= 0) {
          target.set(at, item);
        } else {
          target.add(item);
        }
      }
    });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> load(Path file) throws IOException {
    Object o = new Yaml().load(Files.readString(file));
    return o == null ? new LinkedHashMap<>() : new LinkedHashMap<>((Map<String, Object>) o);
  }

  private static String dump(Map<String, Object> map) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setWidth(1000);
    return new Yaml(options).dump(map);
  }
}
