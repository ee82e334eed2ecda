package dev.quiver.core.load;

import dev.quiver.core.Origin;
import dev.quiver.core.Problem;
import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStoreOpener;
import dev.quiver.core.online.OnlineStoreProvider;
import dev.quiver.core.online.TimeBounds;
import java.io.IOException;
import java.io.Serial;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The {@link OnlineStoreOpener} of a feature repo's {@code online} section. It carries the section as
 * {@code quiver.yaml} writes it — secret references ({@code ${ENV_VAR}}, {@code ${file:PATH}})
 * unresolved — and resolves them where the store is opened: an executor reads the variable from its
 * own environment (Spark: {@code spark.executorEnv.NAME}) or the file from its own disk, so no secret
 * value travels with the opener. (A section built in code, without a {@code quiver.yaml}, travels as
 * given.)
 *
 * <p>For an embedded store such as RocksDB, which admits one process, {@link #open()} in the process
 * that created the opener lends the store that process has open (closing the loan leaves it open):
 * Spark's local mode runs its executors in that process. A shared store is opened anew by each call. {@link #shared()} tells whether other processes can
 * open the store at all.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfiguredOnlineStore implements OnlineStoreOpener {
  @Serial private static final long serialVersionUID = 1L;
  /** Stores lent by the process that created an opener, by its id; weak, so a closed repo's store goes. */
  private static final Map<String, WeakReference<OnlineStore>> LENT = new ConcurrentHashMap<>();

  private final String type;
  private final LinkedHashMap<String, String> options;
  private final String root;
  private final boolean shared;
  private final String id;

  private ConfiguredOnlineStore(String type, LinkedHashMap<String, String> options, String root, boolean shared, String id) {
    this.type = type;
    this.options = options;
    this.root = root;
    this.shared = shared;
    this.id = id;
  }

  /**
   * The opener of {@code config}'s online store, lending {@code openHere} (that store, already open
   * in this process) to callers in this process.
   */
  public static ConfiguredOnlineStore of(RepoConfig config, OnlineStore openHere) {
    Map<String, Object> section = rawSection(config.root());
    if (section == null) {
      section = config.online();
    }
    LinkedHashMap<String, String> options = new LinkedHashMap<>();
    section.forEach((k, v) -> {
      if (!k.equals(TimeBounds.SETTING)) { // core's setting, not the store's
        options.put(k, String.valueOf(v));
      }
    });
    String type = options.getOrDefault("type", "rocksdb");
    String id = UUID.randomUUID().toString();
    if (openHere.inProcess()) { // a shared store is opened anew by each caller, as an executor elsewhere would
      LENT.put(id, new WeakReference<>(openHere));
    }
    return new ConfiguredOnlineStore(type, options, config.root().toString(), !openHere.inProcess(), id);
  }

  @Override
  public boolean shared() {
    return shared;
  }

  @Override
  public OnlineStore open() {
    WeakReference<OnlineStore> lent = LENT.get(id);
    OnlineStore here = lent == null ? null : lent.get();
    if (here != null) {
      return new LentStore(here);
    }
    if (!shared) {
      throw new QuiverException("the online store " + describe() + " is embedded in the process that runs the"
          + " materialization and cannot be opened from another one; materialize with Spark in local mode, or use a"
          + " shared online store (online: {type: redis, ...})");
    }
    List<Problem> problems = new ArrayList<>();
    SecretReferences secrets = new SecretReferences(Path.of(root), System::getenv);
    Map<String, Object> resolved = new LinkedHashMap<>();
    options.forEach((k, v) -> resolved.put(k, secrets.resolve(v, "online." + k, new Origin(DefinitionLoader.CONFIG_FILE, 0),
        problems)));
    if (!problems.isEmpty()) {
      throw new QuiverException("cannot open the online store " + describe() + " here: "
          + String.join("; ", problems.stream().map(Problem::message).toList()));
    }
    for (OnlineStoreProvider p : ServiceLoader.load(OnlineStoreProvider.class)) {
      if (p.type().equals(type)) {
        return p.open(resolved, Path.of(root));
      }
    }
    throw new QuiverException("no online store of type '" + type + "' is installed in this process (its jar must be on"
        + " the classpath of every executor); put the store's module on the classpath");
  }

  @Override
  public String describe() {
    String url = options.get("url");
    return type + (url == null ? "" : " (url " + Secrets.redact(withoutPassword(url)) + ")");
  }

  private static String withoutPassword(String url) {
    return url.replaceAll("//[^@/,]*@", "//***@");
  }

  /** The {@code online} section of {@code quiver.yaml} with references unresolved; null when there is no such file. */
  private static Map<String, Object> rawSection(Path root) {
    Path file = root.resolve(DefinitionLoader.CONFIG_FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      Node doc = new Yaml(new LoaderOptions()).compose(new java.io.StringReader(Files.readString(file, StandardCharsets.UTF_8)));
      if (doc == null || !YamlMap.isMap(doc)) {
        return null;
      }
      List<Problem> problems = new ArrayList<>();
      YamlMap section = new YamlMap(DefinitionLoader.CONFIG_FILE, doc, problems).map("online");
      Map<String, Object> out = new LinkedHashMap<>();
      if (section != null) {
        for (String k : section.keys()) {
          String v = section.string(k);
          out.put(k, v == null ? "" : v);
        }
      }
      return problems.isEmpty() ? out : null;
    } catch (IOException | RuntimeException e) {
      return null; // the loaded configuration, which was read from this file, serves instead
    }
  }

  /** A store lent by this process: closing it leaves the store open. */
  private static final class LentStore extends dev.quiver.core.online.ForwardingOnlineStore {
    LentStore(OnlineStore store) {
      super(store);
    }

    @Override
    public void close() {
      // lent: its owner closes it
    }
  }
}
