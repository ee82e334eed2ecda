package dev.quiver.offline.spark;

import dev.quiver.core.QuiverException;
import dev.quiver.core.load.Secrets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark sessions of this JVM: one per master and settings, shared by every engine opened with
 * them, stopped by a shutdown hook. Spark runs one {@link SparkContext} per JVM, so every session
 * shares the first one's master; a second set of settings gets a new session on that context with
 * its SQL settings (core settings such as executor memory cannot differ within one JVM).
 *
 * <p>Quiver's defaults, which {@code offline.conf} overrides: no web UI; {@code
 * spark.sql.session.timeZone=UTC} (timestamps without a zone are UTC, DESIGN §3); {@code java.time}
 * values ({@code Instant}) for timestamps; Parquet timestamps written as UTC microseconds; in local
 * mode, two shuffle partitions per thread and the driver bound to the loopback address.
 */
final class SparkSessions {
  static final String DEFAULT_MASTER = "local[*]";
  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*\\d+)?])?");

  private static final Map<String, SparkSession> SESSIONS = new LinkedHashMap<>();
  private static SparkSession root;
  private static String rootMaster;
  private static boolean hooked;

  private SparkSessions() {}

  /** The settings Quiver starts a session with for {@code master}, before the user's. */
  static Map<String, String> defaults(String master) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.app.name", "quiver");
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.ui.showConsoleProgress", "false");
    conf.put("spark.sql.session.timeZone", "UTC");
    conf.put("spark.sql.datetime.java8API.enabled", "true");
    conf.put("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    Matcher local = LOCAL.matcher(master);
    if (local.matches()) {
      int threads = local.group(1) == null ? 1
          : local.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(local.group(1));
      conf.put("spark.sql.shuffle.partitions", String.valueOf(Math.max(2, 2 * threads)));
      conf.put("spark.default.parallelism", String.valueOf(Math.max(2, 2 * threads)));
      conf.put("spark.driver.host", "127.0.0.1");
      conf.put("spark.driver.bindAddress", "127.0.0.1");
    }
    return conf;
  }

  /**
   * The session for {@code master} and {@code conf}, started on first use.
   *
   * @throws QuiverException when Spark cannot start, or when this JVM already runs Spark with another
   *     master or other core settings
   */
  static synchronized SparkSession session(String master, Map<String, String> conf) {
    return session(master, conf, SparkMasters.DEFAULT_TIMEOUT);
  }

  /**
   * As {@link #session(String, Map)}, first checking that a cluster master answers within {@code
   * connectTimeout} ({@link SparkMasters}) when no session with these settings runs yet.
   */
  static synchronized SparkSession session(String master, Map<String, String> conf, java.time.Duration connectTimeout) {
    master = effectiveMaster(master);
    String key = master + " " + new TreeMap<>(conf);
    SparkSession known = SESSIONS.get(key);
    if (known != null && !known.sparkContext().isStopped()) {
      return known;
    }
    Map<String, String> all = defaults(master);
    all.putAll(conf);
    SparkSession session;
    SparkMasters.requireReachable(master, connectTimeout);
    if (root == null || root.sparkContext().isStopped()) {
      SESSIONS.clear();
      session = start(master, all);
      root = session;
      rootMaster = master;
    } else if (!rootMaster.equals(master)) {
      throw new QuiverException("this JVM already runs Spark with master " + Secrets.redact(rootMaster) + "; Spark runs one"
          + " master per JVM, so offline.master " + Secrets.redact(master) + " cannot be used beside it: use one master in every quiver.yaml this"
          + " process opens, or run them in separate processes");
    } else {
      session = root.newSession();
      for (var e : all.entrySet()) {
        if (e.getValue().equals(session.conf().get(e.getKey(), null))) {
          continue;
        }
        try {
          session.conf().set(e.getKey(), e.getValue());
        } catch (RuntimeException refused) {
          throw new QuiverException("this JVM already runs Spark, and setting " + e.getKey() + " (offline.conf) can only be"
              + " chosen when Spark starts: give every quiver.yaml this process opens the same value for it ("
              + Secrets.redact(firstLine(refused.getMessage())) + ")", refused);
        }
      }
    }
    SESSIONS.put(key, session);
    return session;
  }

  /**
   * A new session on {@code spark}'s context with its SQL settings and temporary views of its own
   * (so concurrent requests never see each other's views).
   */
  static SparkSession isolated(SparkSession spark) {
    SparkSession own = spark.newSession();
    scala.collection.Iterator<scala.Tuple2<String, String>> it = spark.conf().getAll().iterator();
    while (it.hasNext()) {
      scala.Tuple2<String, String> e = it.next();
      if (!e._2().equals(own.conf().get(e._1(), null))) {
        try {
          own.conf().set(e._1(), e._2());
        } catch (RuntimeException notASqlSetting) {
          // a core setting: the context has it already
        }
      }
    }
    return own;
  }

  /**
   * The master Spark runs with: the one {@code spark-submit} gave this JVM ({@code spark.master}),
   * else {@code offline.master}.
   */
  static String effectiveMaster(String master) {
    String submitted = System.getProperty("spark.master");
    return submitted == null || submitted.isBlank() ? master : submitted;
  }

  private static SparkSession start(String master, Map<String, String> conf) {
    SparkSession.Builder builder = SparkSession.builder().master(effectiveMaster(master));
    conf.forEach(builder::config);
    SparkSession session;
    try {
      session = builder.getOrCreate();
    } catch (RuntimeException e) {
      throw new QuiverException("cannot start Spark with master " + Secrets.redact(master) + ": " + Secrets.redact(firstLine(e.getMessage()))
          + "; check offline.master and offline.conf in quiver.yaml (a cluster master must be reachable from this machine)", e);
    }
    if (!hooked) {
      hooked = true;
      Runtime.getRuntime().addShutdownHook(new Thread(SparkSessions::stop, "quiver-spark-stop"));
    }
    return session;
  }

  /** Stops Spark (the shutdown hook); the next {@link #session} starts it again. */
  static synchronized void stop() {
    if (root != null) {
      root.stop();
      root = null;
      SESSIONS.clear();
    }
  }

  static String firstLine(String message) {
    if (message == null) {
      return "no details";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).strip();
  }
}
