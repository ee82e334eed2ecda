package dev.quiver.registry.postgres;

import dev.quiver.core.ConflictException;
import dev.quiver.core.RegistryConflictException;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.AuditEvent;
import dev.quiver.testkit.LocalPostgres;
import dev.quiver.testkit.SampleDefinitions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A writer process for {@link PostgresProcessTest}: opens its own store (its own connection pool)
 * on a PostgreSQL registry and, once the start file exists, does one kind of work in a loop.
 *
 * <p>Arguments: mode ({@code commit}, {@code audit} or {@code tokens}), JDBC URL, schema, this
 * writer's name, how many, the start file. It prints {@code ready} once the store is open, then:
 * <ul>
 *   <li>commit: wins N versions, planning against the head it read and planning again on a {@link
 *       RegistryConflictException}; prints {@code won VERSION SEED} per win and {@code lost MESSAGE}
 *       per loss (the definitions committed are {@code SampleDefinitions.sample(SEED)});
 *   <li>audit: appends N events, principal {@code NAME-i};
 *   <li>tokens: creates N tokens {@code NAMEi}, and tries token {@code sharedi} too, which every
 *       writer tries: prints {@code shared i won} or {@code shared i refused MESSAGE};
 * </ul>
 * and {@code done} at the end.
 */
public final class PostgresWorker {
  private PostgresWorker() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Map<String, Object> options = new LinkedHashMap<>();
    options.put("url", args[1]);
    options.put("user", LocalPostgres.USER);
    options.put("password", LocalPostgres.PASSWORD);
    options.put("schema", args[2]);
    String name = args[3];
    int count = Integer.parseInt(args[4]);
    Path go = Path.of(args[5]);
    PrintStream out = System.out;
    try (RegistryStore store = new PostgresRegistryProvider().open(options, Path.of("."))) {
      store.head();
      out.println("ready");
      out.flush();
      while (!Files.exists(go)) {
        Thread.sleep(1);
      }
      switch (mode) {
        case "commit" -> commit(store, name, count, out);
        case "audit" -> audit(store, name, count);
        case "tokens" -> tokens(store, name, count, out);
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
    }
    out.println("done");
    out.flush();
  }

  private static void commit(RegistryStore store, String name, int count, PrintStream out) {
    int won = 0;
    int attempt = 0;
    while (won < count) {
      long head = store.head().map(VersionInfo::version).orElse(0L);
      int seed = name.hashCode() * 1000 + attempt++;
      try {
        VersionInfo info = store.commit(head, SampleDefinitions.sample(seed), name, "attempt " + attempt, Instant.now());
        won++;
        out.println("won " + info.version() + " " + seed);
      } catch (RegistryConflictException lost) {
        out.println("lost " + lost.getMessage());
      }
      out.flush();
    }
  }

  private static void audit(RegistryStore store, String name, int count) {
    for (int i = 0; i < count; i++) {
      store.audit().append(new AuditEvent(Instant.now(), name + "-" + i, "token", "push", "source s", name, "ok",
          "event " + i + " of " + name));
    }
  }

  private static void tokens(RegistryStore store, String name, int count, PrintStream out) {
    for (int i = 0; i < count; i++) {
      store.tokens().create(token(name + i, name));
      try {
        store.tokens().create(token("shared" + i, name));
        out.println("shared " + i + " won");
      } catch (ConflictException refused) {
        out.println("shared " + i + " refused " + refused.getMessage());
      }
      out.flush();
    }
  }

  /** A token record of {@code id} for {@code name}; its hash is the SHA-256 of the id (made up, but checkable). */
  static ApiToken token(String id, String name) {
    return new ApiToken(id, name, Set.of("reader"), hash(id), Instant.now(), Optional.empty(), Optional.empty());
  }

  static String hash(String id) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
