package dev.quiver.core.repo;

import dev.quiver.core.QuiverException;
import dev.quiver.core.load.RepoConfig;
import dev.quiver.core.load.TransformClasspath;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.OfflineEngineProvider;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStoreProvider;
import dev.quiver.core.online.TimeBounds;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.RegistryStoreProvider;
import dev.quiver.core.spi.SourceSchemaReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * A feature repo's plug-ins: found with {@link ServiceLoader} by the names {@code quiver.yaml} gives,
 * and the online store, the offline engine and the transform class path opened on first use, exactly
 * once however many threads ask at the same time (double-checked under one lock; read without it once
 * set, published through volatile fields). After {@link #close()} nothing opens them again.
 */
final class RepoPlugins implements AutoCloseable {
  private final RepoConfig config;
  // opened on first use, under lock; read without it once set (safe publication through volatile)
  private volatile OfflineEngine offline;
  private volatile OnlineStore online;
  private volatile TransformClasspath transforms;
  private final Object lock = new Object();
  /** Set once close() released the stores (under lock): nothing may open them again. */
  private boolean released;

  RepoPlugins(RepoConfig config) {
    this.config = config;
  }

  /** The configured online store, opened on first use (once, whichever threads ask first). */
  OnlineStore onlineStore() {
    OnlineStore o = online;
    if (o == null) {
      synchronized (lock) {
        checkOpen();
        o = online;
        if (o == null) {
          Map<String, Object> options = new LinkedHashMap<>(config.online());
          options.remove(TimeBounds.SETTING); // core's setting, not the store's
          o = onlineProvider().open(options, config.root());
          online = o;
        }
      }
    }
    return o;
  }

  /** The configured offline engine, opened on first use. */
  OfflineEngine offlineEngine() {
    OfflineEngine o = offline;
    if (o == null) {
      synchronized (lock) {
        checkOpen();
        o = offline;
        if (o == null) {
          o = offlineProvider().open(config.offline());
          offline = o;
        }
      }
    }
    return o;
  }

  /** The class path custom transforms load from, resolved on first use. */
  TransformClasspath transformClasspath() {
    TransformClasspath t = transforms;
    if (t == null) {
      synchronized (lock) {
        checkOpen();
        t = transforms;
        if (t == null) {
          t = TransformClasspath.of(config);
          transforms = t;
        }
      }
    }
    return t;
  }

  /** Under lock: nothing opens a store once close() released them. */
  private void checkOpen() {
    if (released) {
      throw CallGate.closedException(config.root());
    }
  }

  /** The provider of the configured online store type; throws naming the installed ones when there is none. */
  OnlineStoreProvider onlineProvider() {
    return provider(OnlineStoreProvider.class, OnlineStoreProvider::type,
        String.valueOf(config.online().getOrDefault("type", "rocksdb")), "online store of type");
  }

  /** The provider of the configured offline engine; throws naming the installed ones when there is none. */
  OfflineEngineProvider offlineProvider() {
    return provider(OfflineEngineProvider.class, OfflineEngineProvider::name,
        String.valueOf(config.offline().getOrDefault("engine", "duckdb")), "offline engine named");
  }

  /** Stops new opens, then closes what was opened: the offline engine, the online store, the transform class path. */
  @Override
  public void close() {
    synchronized (lock) {
      released = true;
    }
    if (offline != null) {
      offline.close();
    }
    if (online != null) {
      online.close();
    }
    if (transforms != null) {
      transforms.close();
    }
  }

  /** Opens the registry store {@code registry.type} names. */
  static RegistryStore openRegistry(RepoConfig config) {
    return provider(RegistryStoreProvider.class, RegistryStoreProvider::type, config.registryType(), "registry store of type")
        .open(config.registry(), config.root());
  }

  /** The installed source schema reader (an offline engine's). */
  static SourceSchemaReader schemaReader() {
    return ServiceLoader.load(SourceSchemaReader.class).findFirst().orElseThrow(() ->
        new QuiverException("no offline engine is installed to read source schemas; put quiver-offline-duckdb on the classpath"));
  }

  /**
   * The installed plug-in of {@code type} whose {@code key} is {@code wanted} (found with {@link
   * ServiceLoader}); throws naming the installed ones when there is none.
   *
   * @param what how the message names it: "online store of type", "offline engine named"
   */
  private static <P> P provider(Class<P> type, Function<P, String> key, String wanted, String what) {
    List<String> known = new ArrayList<>();
    for (P p : ServiceLoader.load(type)) {
      if (key.apply(p).equals(wanted)) {
        return p;
      }
      known.add(key.apply(p));
    }
    throw new QuiverException("quiver.yaml: no " + what + " '" + wanted + "' is installed"
        + (known.isEmpty() ? "" : " (installed: " + String.join(", ", known) + ")"));
  }
}
