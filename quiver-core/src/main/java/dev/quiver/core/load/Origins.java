package dev.quiver.core.load;

import dev.quiver.core.Origin;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each definition element was written. Elements are named by slash-separated paths such as
 * {@code view:user_txn@1/feature:amount_avg_30d/window}; a lookup falls back to the nearest
 * enclosing element, and to {@link Origin#UNKNOWN} for definitions built in Java.
 *
 * <p>Use {@link #entity}, {@link #source}, {@link #view}, {@link #onDemandView}, {@link #service} to
 * build the keys. Not thread-safe while being filled; read-only afterwards.
 */
public final class Origins {
  private final Map<String, Origin> byPath = new HashMap<>();

  /** No origins: every lookup answers {@link Origin#UNKNOWN}. */
  public static Origins none() {
    return new Origins();
  }

  public static String entity(String name) {
    return "entity:" + name;
  }

  public static String source(String name) {
    return "source:" + name;
  }

  public static String view(String name, int version) {
    return "view:" + name + "@" + version;
  }

  public static String onDemandView(String name, int version) {
    return "odv:" + name + "@" + version;
  }

  public static String service(String name, int version) {
    return "service:" + name + "@" + version;
  }

  public static String permission(String name) {
    return "permission:" + name;
  }

  public static String feature(String owner, String feature) {
    return owner + "/feature:" + feature;
  }

  void put(String path, Origin origin) {
    byPath.putIfAbsent(path, origin);
  }

  /** Records a definition's origin; answers the earlier origin when the path was declared before. */
  Origin declare(String path, Origin origin) {
    return byPath.putIfAbsent(path, origin);
  }

  /** The origin of the element or of its nearest enclosing element. */
  public Origin of(String path) {
    String p = path;
    while (true) {
      Origin o = byPath.get(p);
      if (o != null) {
        return o;
      }
      int slash = p.lastIndexOf('/');
      if (slash < 0) {
        return Origin.UNKNOWN;
      }
      p = p.substring(0, slash);
    }
  }
}
