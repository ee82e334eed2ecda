package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Durations;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.security.ApiToken;
import dev.quiver.core.security.TokenStore;
import dev.quiver.server.auth.ApiTokens;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quiver tokens create|list|revoke}: the API tokens {@code quiver serve} accepts when quiver.yaml
 * says {@code server: {auth: tokens}}. A token is printed once, at creation; the registry keeps its
 * SHA-256 only, and nothing here prints a token or a hash again.
 */
@Command(
    name = "tokens",
    description = "Create, list and revoke the API tokens quiver serve accepts (server.auth: tokens).",
    subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class})
final class TokensCommand implements Runnable {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@:/+-]{0,127}");
  private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static TokenStore tokens(FeatureRepo r) {
    try {
      return r.registry().tokens();
    } catch (UnsupportedOperationException e) {
      throw new QuiverException("the " + r.config().registryType() + " registry of this repo keeps no API tokens; use a"
          + " file or postgres registry");
    }
  }

  /** {@code quiver tokens create --name NAME --role ROLE ... [--expires 90d]}. */
  @Command(name = "create", description = "Create an API token and print it once (the registry keeps only its hash).")
  static final class Create implements Callable<Integer> {
    @Option(names = "--name", required = true, description = "Who or what uses it (the principal's name): ci-bot, alice.")
    String name;

    @Option(names = "--role", paramLabel = "ROLE", description = "A role it grants (repeatable): permissions name roles.")
    List<String> roles = new ArrayList<>();

    @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "90d",
        description = "How long it works: e.g. 12h, 30d; 'never' for no expiry (default: ${DEFAULT-VALUE}).")
    String expires;

    @Mixin RepoOption repo;
    @Mixin OutputOption output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (!NAME.matcher(name).matches()) {
        throw new QuiverException("--name '" + name + "' is not a valid token name: letters, digits and . _ @ : / + -,"
            + " starting with a letter or digit, at most 128; e.g. --name ci-bot");
      }
      LinkedHashSet<String> granted = new LinkedHashSet<>();
      for (String role : roles) {
        if (!ROLE.matcher(role).matches()) {
          throw new QuiverException("--role '" + role + "' is not a valid role: letters, digits and . _ : / -, e.g."
              + " --role risk-team");
        }
        granted.add(role);
      }
      Optional<Duration> lifetime = lifetime(expires);
      PrintWriter out = spec.commandLine().getOut();
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        ApiTokens.Issued issued = ApiTokens.issue(name, granted, lifetime, Clock.systemUTC());
        tokens(r).create(issued.record());
        ApiToken t = issued.record();
        if (output.json()) {
          ObjectNode n = json(t, t.created());
          n.put("token", issued.token());
          Json.print(n, out);
          return 0;
        }
        out.printf("Created API token %s for %s (roles: %s; %s).%n", t.id(), t.name(),
            t.roles().isEmpty() ? "none" : String.join(", ", new TreeSet<>(t.roles())),
            t.expires().map(e -> "expires " + e).orElse("never expires"));
        out.println(issued.token());
        out.println("Keep it now: it is not shown again (the registry keeps only its SHA-256). Send it as"
            + " 'Authorization: Bearer <token>'.");
        out.flush();
        return 0;
      }
    }

    private static Optional<Duration> lifetime(String text) {
      if (text.equalsIgnoreCase("never")) {
        return Optional.empty();
      }
      Duration d = Durations.parse(text).orElseThrow(() ->
          new QuiverException("--expires '" + text + "' is not a duration; write e.g. 12h, 30d or never"));
      if (d.isZero() || d.isNegative()) {
        throw new QuiverException("--expires must be positive, got '" + text + "'; write e.g. 30d, or never");
      }
      return Optional.of(d);
    }
  }

  /** {@code quiver tokens list}. */
  @Command(name = "list", description = "Every API token: id, name, roles, created, expires, status (never the token).")
  static final class ListTokens implements Callable<Integer> {
    @Mixin RepoOption repo;
    @Mixin OutputOption output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        List<ApiToken> all = tokens(r).list();
        Instant now = Instant.now();
        if (output.json()) {
          ArrayNode arr = Json.MAPPER.createArrayNode();
          all.forEach(t -> arr.add(json(t, now)));
          Json.print(arr, out);
          return 0;
        }
        if (all.isEmpty()) {
          out.println("No API tokens: create one with 'quiver tokens create --name NAME --role ROLE'.");
          out.flush();
          return 0;
        }
        Table table = new Table("ID", "NAME", "ROLES", "CREATED", "EXPIRES", "STATUS");
        for (ApiToken t : all) {
          table.add(t.id(), t.name(), String.join(",", new TreeSet<>(t.roles())), t.created().toString(),
              t.expires().map(Instant::toString).orElse("never"), status(t, now));
        }
        table.print(out);
        return 0;
      }
    }
  }

  /** {@code quiver tokens revoke ID}. */
  @Command(name = "revoke", description = "Revoke an API token; servers refuse it within server.token_cache (2s).")
  static final class Revoke implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "The token's id, as 'quiver tokens list' shows it.")
    String id;

    @Mixin RepoOption repo;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      // the whole token pasted by mistake: take its id, and never print what was given
      String which = id.startsWith(ApiTokens.PREFIX) ? ApiTokens.idOf(id).orElseThrow(() ->
          new QuiverException("that is not a token id; give the ID column of 'quiver tokens list'")) : id;
      if (!dev.quiver.core.security.ApiToken.isValidId(which)) { // not echoed: it may be a secret pasted in the wrong place
        throw new QuiverException("that is not a token id (lower-case letters and digits); give the ID column of"
            + " 'quiver tokens list'");
      }
      PrintWriter out = spec.commandLine().getOut();
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        TokenStore store = tokens(r);
        Optional<ApiToken> before = store.find(which);
        if (before.isEmpty() || !store.revoke(which, Instant.now())) {
          throw new QuiverException("no API token has the id '" + which + "'; 'quiver tokens list' shows them");
        }
        ApiToken t = store.find(which).orElseThrow();
        out.printf("Revoked API token %s (%s) at %s; running servers refuse it within their token cache time"
            + " (server.token_cache, 2s by default).%n", t.id(), t.name(), t.revoked().orElseThrow());
        out.flush();
        return 0;
      }
    }
  }

  static String status(ApiToken t, Instant now) {
    return t.revoked().isPresent() ? "revoked " + t.revoked().get() : t.activeAt(now) ? "active" : "expired";
  }

  static ObjectNode json(ApiToken t, Instant now) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("id", t.id());
    n.put("name", t.name());
    new TreeSet<>(t.roles()).forEach(n.putArray("roles")::add);
    n.put("created", t.created().toString());
    n.put("expires", t.expires().map(Instant::toString).orElse(null));
    n.put("revoked", t.revoked().map(Instant::toString).orElse(null));
    n.put("status", t.revoked().isPresent() ? "revoked" : t.activeAt(now) ? "active" : "expired");
    return n;
  }
}
