package dev.quiver.registry.postgres;

import dev.quiver.core.ConflictException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.TokenStore;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * API tokens in the {@code api_tokens} table, keyed by id; only hashes are stored (the record never
 * holds the secret). Times are ISO-8601 instants, exact. Revoking is one conditional UPDATE, so the
 * first revocation time stays. Thread-safe; safe from many processes.
 */
final class PostgresTokenStore implements TokenStore {
  private static final String COLUMNS = "id, name, roles, hash, created, expires, revoked";
  private static final Comparator<ApiToken> OLDEST_FIRST =
      Comparator.comparing(ApiToken::created).thenComparing(ApiToken::id);

  private final RegistryDatabase db;

  PostgresTokenStore(RegistryDatabase db) {
    this.db = db;
  }

  @Override
  public void create(ApiToken token) {
    Objects.requireNonNull(token, "token");
    int inserted;
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("INSERT INTO " + db.table("api_tokens") + " (" + COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
      s.setString(1, token.id());
      s.setString(2, token.name());
      Array roles = c.createArrayOf("text", new TreeSet<>(token.roles()).toArray());
      s.setArray(3, roles);
      s.setString(4, token.hash());
      s.setString(5, token.created().toString());
      s.setString(6, token.expires().map(Instant::toString).orElse(null));
      s.setString(7, token.revoked().map(Instant::toString).orElse(null));
      inserted = s.executeUpdate();
    } catch (SQLException e) {
      throw db.failure("create API token " + token.id(), e);
    }
    if (inserted == 0) {
      throw new ConflictException("an API token with id " + token.id() + " exists already; create another");
    }
  }

  @Override
  public List<ApiToken> list() {
    List<ApiToken> found = new ArrayList<>();
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM " + db.table("api_tokens"));
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        found.add(token(rs));
      }
    } catch (SQLException e) {
      throw db.failure("list the API tokens", e);
    }
    found.sort(OLDEST_FIRST);
    return List.copyOf(found);
  }

  /** Empty for an id that is not valid, since no token can have it. */
  @Override
  public Optional<ApiToken> find(String id) {
    Objects.requireNonNull(id, "id");
    if (!ApiToken.isValidId(id)) {
      return Optional.empty();
    }
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM " + db.table("api_tokens") + " WHERE id = ?")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(token(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw db.failure("read API token " + id, e);
    }
  }

  @Override
  public boolean revoke(String id, Instant at) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(at, "at");
    try (Connection c = db.connection();
        PreparedStatement s = c.prepareStatement("UPDATE " + db.table("api_tokens")
            + " SET revoked = coalesce(revoked, ?) WHERE id = ?")) {
      s.setString(1, at.toString());
      s.setString(2, id);
      return s.executeUpdate() == 1;
    } catch (SQLException e) {
      throw db.failure("revoke API token " + id, e);
    }
  }

  private ApiToken token(ResultSet rs) throws SQLException {
    String id = rs.getString(1);
    Array roles = rs.getArray(3);
    Set<String> roleSet = Set.of((String[]) roles.getArray());
    try {
      return new ApiToken(id, rs.getString(2), roleSet, rs.getString(4), Instant.parse(rs.getString(5)),
          Optional.ofNullable(rs.getString(6)).map(Instant::parse), Optional.ofNullable(rs.getString(7)).map(Instant::parse));
    } catch (QuiverException | DateTimeParseException e) {
      throw new QuiverException("API token '" + id + "' in " + db.table("api_tokens") + " is damaged: " + e.getMessage()
          + "; delete that row and create a new token with quiver tokens create", e);
    }
  }
}
