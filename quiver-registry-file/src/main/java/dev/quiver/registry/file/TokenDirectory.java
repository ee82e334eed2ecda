package dev.quiver.registry.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.ConflictException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.TokenStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code tokens/} directory of the file registry: the API tokens, hashed. Both kinds of file are
 * immutable and published by {@link PublishedDirectory} (atomic, exclusive, durable), so no lock is
 * needed across threads or processes:
 *
 * <ul>
 *   <li>{@code <id>.json}: the token's record (name, roles, hash, created, expires), published once
 *       by {@link #create}; of two creators of one id, exactly one wins, the other gets a {@link
 *       ConflictException};
 *   <li>{@code <id>.revoked.json}: its revocation time, published once by {@link #revoke}: of
 *       several revocations, the first one published stays, as {@link TokenStore#revoke} asks.
 * </ul>
 *
 * <p>A record holds the hex SHA-256 of the token, never the token. Ids are lower-case letters and
 * digits ({@link ApiToken} refuses any other), so a case-insensitive file system cannot fold two ids
 * together. Reads never lock and never cache (a revocation must be seen at once). Thread-safe.
 */
final class TokenDirectory implements TokenStore {
  private static final Pattern RECORD_FILE = Pattern.compile("[a-z0-9]{1,64}\\.json");
  private static final String JSON = ".json";
  private static final String REVOKED = ".revoked.json";
  private static final int FORMAT = 1;
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private final Path root;
  private final PublishedDirectory files;

  /**
   * @param root the registry directory
   * @param dir the tokens directory, created by the first {@link #create}
   */
  TokenDirectory(Path root, Path dir) {
    this.root = root;
    this.files = new PublishedDirectory(root, dir);
  }

  @Override
  public void create(ApiToken token) {
    Objects.requireNonNull(token, "token"); // its id is valid: ApiToken checks it
    if (token.revoked().isPresent()) {
      throw new IllegalArgumentException("a new token cannot be revoked already");
    }
    boolean published;
    try {
      published = files.publish(token.id() + JSON, encode(token));
    } catch (IOException e) {
      throw new QuiverException("cannot record API token " + token.id() + " in " + files.dir() + ": " + e
          + "; nothing was recorded, create it again", e);
    }
    if (!published) {
      throw new ConflictException("an API token with id " + token.id() + " exists already; create it again (a new"
          + " token gets a new random id)");
    }
  }

  @Override
  public List<ApiToken> list() {
    List<ApiToken> found = new ArrayList<>();
    for (String file : files.list(RECORD_FILE)) {
      find(file.substring(0, file.length() - JSON.length())).ifPresent(found::add);
    }
    found.sort(Comparator.comparing(ApiToken::created).thenComparing(ApiToken::id));
    return List.copyOf(found);
  }

  /** Empty for an id that is not valid, since no token can have it. */
  @Override
  public Optional<ApiToken> find(String id) {
    Objects.requireNonNull(id, "id");
    if (!ApiToken.isValidId(id)) {
      return Optional.empty();
    }
    Optional<byte[]> record = read(id + JSON);
    if (record.isEmpty()) {
      return Optional.empty();
    }
    ApiToken token = decode(id, record.get());
    Optional<Instant> revoked = read(id + REVOKED).map(bytes -> decodeRevocation(id, bytes));
    return Optional.of(new ApiToken(token.id(), token.name(), token.roles(), token.hash(), token.created(),
        token.expires(), revoked));
  }

  @Override
  public boolean revoke(String id, Instant at) {
    Objects.requireNonNull(at, "at");
    if (find(id).isEmpty()) {
      return false;
    }
    ObjectNode n = MAPPER.createObjectNode();
    n.put("format", FORMAT);
    n.put("id", id);
    n.put("revoked", at.toString());
    try {
      files.publish(id + REVOKED, MAPPER.writeValueAsBytes(n)); // false: revoked before, the first time stays
    } catch (IOException e) {
      throw new QuiverException("cannot revoke API token " + id + " in " + files.dir() + ": " + e
          + "; it is still valid, revoke it again", e);
    }
    return true;
  }

  @Override
  public String toString() {
    return "TokenDirectory[" + files.dir() + "]";
  }

  private Optional<byte[]> read(String name) {
    Path file = files.file(name);
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new QuiverException("cannot read " + file + ": " + e, e);
    }
  }

  private static byte[] encode(ApiToken t) throws IOException {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("format", FORMAT);
    n.put("id", t.id());
    n.put("name", t.name());
    new TreeSet<>(t.roles()).forEach(n.putArray("roles")::add);
    n.put("sha256", t.hash());
    n.put("created", t.created().toString());
    t.expires().ifPresent(e -> n.put("expires", e.toString()));
    return MAPPER.writeValueAsBytes(n);
  }

  private ApiToken decode(String id, byte[] bytes) {
    try {
      JsonNode n = MAPPER.readTree(bytes);
      checkFormat(n);
      if (!id.equals(text(n, "id"))) {
        throw new QuiverException("it records token " + n.path("id").asText());
      }
      Set<String> roles = new TreeSet<>();
      n.path("roles").forEach(r -> roles.add(r.asText()));
      Optional<Instant> expires = n.hasNonNull("expires") ? Optional.of(Instant.parse(text(n, "expires"))) : Optional.empty();
      return new ApiToken(id, text(n, "name"), roles, text(n, "sha256"), Instant.parse(text(n, "created")), expires,
          Optional.empty());
    } catch (IOException | DateTimeParseException | QuiverException e) {
      throw damaged(id, e.getMessage(), e);
    }
  }

  private Instant decodeRevocation(String id, byte[] bytes) {
    try {
      JsonNode n = MAPPER.readTree(bytes);
      checkFormat(n);
      return Instant.parse(text(n, "revoked"));
    } catch (IOException | DateTimeParseException | QuiverException e) {
      throw damaged(id, "its revocation: " + e.getMessage(), e);
    }
  }

  private static void checkFormat(JsonNode n) {
    if (n == null || !n.isObject() || n.path("format").asInt(-1) != FORMAT) {
      throw new QuiverException("not a token record of format " + FORMAT);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new QuiverException("field '" + field + "' is missing");
    }
    return v.asText();
  }

  private QuiverException damaged(String id, String why, Throwable cause) {
    return new QuiverException("API token " + id + " is damaged (" + files.file(id + JSON) + "): " + why
        + "; revoke it and create a new one, or restore " + root + " from a backup", cause);
  }
}
