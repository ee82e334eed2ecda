package dev.quiver.core.load;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The values this process read from secrets in {@code quiver.yaml} ({@code ${ENV_VAR}}, {@code
 * ${file:PATH}}), so that whatever would show them (an error message, a log line, an HTTP error
 * body) can blank them out first: {@link #redact} replaces each with {@value #MASK}.
 *
 * <p>Values shorter than {@value #MIN_LENGTH} characters are not remembered: masking every
 * {@code 1} or {@code on} would garble every message, and such a value is no secret.
 *
 * <p>Process-wide and thread-safe; values are only added, never removed.
 */
public final class Secrets {
  /** What a secret is replaced with. */
  public static final String MASK = "***";

  /** The shortest value remembered. */
  public static final int MIN_LENGTH = 4;

  /** Longest first, so that a secret containing another is masked whole. */
  private static final List<String> VALUES = new CopyOnWriteArrayList<>();

  private Secrets() {}

  /**
   * {@code value} with its secret references ({@code ${ENV_VAR}}, {@code ${file:PATH}} with PATH
   * relative to {@code root}, {@code $${} for a literal {@code ${}) replaced, for settings kept as
   * written in the registry and resolved where they are used (an Iceberg catalog's properties). The
   * values substituted are remembered, so they are redacted like those of {@code quiver.yaml}.
   *
   * @param key how a problem names the value ({@code source 'orders' catalog.token}); never the value
   * @return the value itself when it has no reference; null stays null
   * @throws dev.quiver.core.QuiverException naming the key and the variable or file when a reference
   *     cannot be resolved
   */
  public static String resolve(String value, java.nio.file.Path root, String key) {
    List<dev.quiver.core.Problem> problems = new java.util.ArrayList<>();
    String out = new SecretReferences(root, System::getenv).resolve(value, key, dev.quiver.core.Origin.UNKNOWN, problems);
    if (!problems.isEmpty()) {
      throw new dev.quiver.core.QuiverException(String.join("; ", problems.stream().map(dev.quiver.core.Problem::message).toList()));
    }
    return out;
  }

  /** Remembers a value read from a secret. */
  static void remember(String value) {
    if (value != null && value.length() >= MIN_LENGTH && !VALUES.contains(value)) {
      synchronized (VALUES) {
        if (!VALUES.contains(value)) {
          VALUES.add(value);
          VALUES.sort(Comparator.comparingInt(String::length).reversed());
        }
      }
    }
  }

  /**
   * {@code text} with every remembered secret replaced by {@value #MASK}; null stays null.
   */
  public static String redact(String text) {
    if (text == null || VALUES.isEmpty()) {
      return text;
    }
    String out = text;
    for (String secret : VALUES) {
      if (out.contains(secret)) {
        out = out.replace(secret, MASK);
      }
    }
    return out;
  }

  /**
   * Makes every handler of the root logger redact what it writes (message, parameters and the
   * stack trace of the thrown exception). Idempotent.
   */
  public static void redactLogs() {
    for (Handler h : Logger.getLogger("").getHandlers()) {
      Formatter f = h.getFormatter();
      if (f != null && !(f instanceof Redacting)) {
        h.setFormatter(new Redacting(f));
      }
    }
  }

  /** A formatter that redacts what another one formats. */
  private static final class Redacting extends Formatter {
    private final Formatter inner;

    Redacting(Formatter inner) {
      this.inner = Objects.requireNonNull(inner);
    }

    @Override
    public String format(LogRecord record) {
      return redact(inner.format(record));
    }

    @Override
    public String getHead(Handler h) {
      return inner.getHead(h);
    }

    @Override
    public String getTail(Handler h) {
      return inner.getTail(h);
    }
  }
}
