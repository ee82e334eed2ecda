package dev.quiver.server.auth;

import dev.quiver.core.security.ApiToken;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API tokens: {@code qvr_<id>_<secret>}, where the id (12 lower-case letters and digits) names the
 * stored record, so checking a token is one lookup, and the secret is 32 bytes from {@link
 * SecureRandom} in base64url (43 characters). The token is shown once; the registry keeps only its
 * {@link #hash} (hex SHA-256 of the whole token string).
 *
 * <p>A plain SHA-256 is the right hash here, not a slow password hash (bcrypt, Argon2): those exist to
 * make guessing low-entropy passwords expensive, while a 256-bit random secret cannot be guessed at any
 * speed, and a fast hash keeps checking a token cheap on every request. Stateless; thread-safe.
 */
public final class ApiTokens {
  /** What every API token starts with (tells it apart from a JWT at a glance). */
  public static final String PREFIX = "qvr_";

  private static final Pattern FORMAT = Pattern.compile("qvr_([a-z0-9]{12})_([A-Za-z0-9_-]{43})");
  private static final char[] ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiTokens() {}

  /**
   * A new token and the record to store for it.
   *
   * @param token the token, to show once and never store
   * @param record its stored record (the hash, never the token)
   */
  public record Issued(String token, ApiToken record) {
    public Issued {
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(record, "record");
    }

    /** Never the token: an {@code Issued} printed by mistake leaks nothing. */
    @Override
    public String toString() {
      return "Issued[" + record.id() + "]";
    }
  }

  /**
   * Makes a new token for {@code name} with {@code roles}, valid for {@code lifetime} (forever when
   * empty) from {@code clock}'s now.
   *
   * @throws IllegalArgumentException when the name is blank or the lifetime is not positive
   */
  public static Issued issue(String name, Set<String> roles, Optional<Duration> lifetime, Clock clock) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a token needs a name: who or what uses it (--name ci-bot)");
    }
    if (lifetime.isPresent() && (lifetime.get().isZero() || lifetime.get().isNegative())) {
      throw new IllegalArgumentException("a token's lifetime must be positive, got " + lifetime.get());
    }
    StringBuilder id = new StringBuilder(12);
    for (int i = 0; i < 12; i++) {
      id.append(ID_CHARS[RANDOM.nextInt(ID_CHARS.length)]);
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    ApiToken record = new ApiToken(id.toString(), name, roles, hash(token), now, lifetime.map(now::plus),
        Optional.empty());
    return new Issued(token, record);
  }

  /** The id in a token of the API-token format, or empty when it is not one. */
  public static Optional<String> idOf(String token) {
    Matcher m = FORMAT.matcher(token);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** The hex SHA-256 of {@code token}'s UTF-8 bytes, as {@link ApiToken#hash()} holds it. */
  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** Whether {@code token} hashes to {@code record}'s hash, compared in constant time. */
  static boolean matches(String token, ApiToken record) {
    return MessageDigest.isEqual(hash(token).getBytes(StandardCharsets.US_ASCII),
        record.hash().getBytes(StandardCharsets.US_ASCII));
  }
}
