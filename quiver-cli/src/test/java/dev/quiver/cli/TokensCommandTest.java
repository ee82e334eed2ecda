package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver tokens create|list|revoke}: the token is printed once, then never again, nor its hash. */
class TokensCommandTest {
  private static final Pattern TOKEN = Pattern.compile("qvr_([a-z0-9]{12})_[A-Za-z0-9_-]{43}");
  @TempDir Path tmp;
  Path repo;

  @BeforeEach
  void init() {
    repo = tmp.resolve("repo");
    assertThat(Cli.run("init", repo.toString(), "--start", "2026-01-01", "--rows", "200").exitCode()).isZero();
  }

  private Cli tokens(String... args) {
    String[] all = Stream.concat(Stream.of("tokens"), Stream.concat(Stream.of(args), Stream.of("--repo", repo.toString())))
        .toArray(String[]::new);
    return Cli.run(all);
  }

  @Test
  void createPrintsTheTokenOnceListAndRevokeNeverShowItOrItsHash() throws Exception {
    Cli created = tokens("create", "--name", "ci-bot", "--role", "reader", "--role", "risk-team", "--expires", "30d");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    Matcher m = TOKEN.matcher(created.out());
    assertThat(m.find()).as(created.out()).isTrue();
    String token = m.group();
    String id = m.group(1);
    assertThat(created.out()).contains("Created API token " + id + " for ci-bot (roles: reader, risk-team; expires ")
        .contains("not shown again");

    String stored = Files.readString(repo.resolve(".quiver/registry/tokens/" + id + ".json"));
    assertThat(stored).doesNotContain(token).doesNotContain(token.substring(17));
    String hash = dev.quiver.server.auth.ApiTokens.hash(token);
    assertThat(stored).contains(hash);

    Cli list = tokens("list");
    assertThat(list.exitCode()).isZero();
    assertThat(list.out()).contains("ID", "NAME", "ROLES", "STATUS").contains(id).contains("ci-bot").contains("reader,risk-team")
        .contains("active").doesNotContain(token.substring(17)).doesNotContain(hash);
    JsonNode json = Json.MAPPER.readTree(tokens("list", "--output", "json").out());
    assertThat(json).hasSize(1);
    assertThat(json.get(0).path("id").asText()).isEqualTo(id);
    assertThat(json.get(0).has("token")).isFalse();
    assertThat(json.get(0).toString()).doesNotContain(hash);

    Cli revoked = tokens("revoke", id);
    assertThat(revoked.exitCode()).as(revoked.toString()).isZero();
    assertThat(revoked.out()).contains("Revoked API token " + id + " (ci-bot)");
    assertThat(tokens("list").out()).contains("revoked 20");
  }

  @Test
  void jsonCreateGivesTheTokenForScripts() throws Exception {
    JsonNode n = Json.MAPPER.readTree(tokens("create", "--name", "svc", "--expires", "never", "--output", "json").out());
    assertThat(n.path("token").asText()).matches(TOKEN);
    assertThat(n.path("expires").isNull()).isTrue();
    assertThat(n.path("roles")).isEmpty();
  }

  @Test
  void mistakesAreOneLineWithTheFixAndNeverEchoASecret() {
    Cli unknown = tokens("revoke", "abcdefabcdef");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("no API token has the id 'abcdefabcdef'; 'quiver tokens list' shows them");

    String pasted = "qvr_abcdefabcdef_" + "s".repeat(43);
    Cli whole = tokens("revoke", pasted);
    assertThat(whole.exitCode()).isEqualTo(1);
    assertThat(whole.err()).contains("no API token has the id 'abcdefabcdef'").doesNotContain("sss");

    Cli jwt = tokens("revoke", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl");
    assertThat(jwt.err()).contains("that is not a token id").doesNotContain("eyJ");

    assertThat(tokens("create", "--name", "x y").err()).contains("--name 'x y' is not a valid token name");
    assertThat(tokens("create", "--name", "bot", "--expires", "soon").err())
        .contains("--expires 'soon' is not a duration; write e.g. 12h, 30d or never");
    assertThat(tokens("create", "--name", "bot", "--role", "bad role").err()).contains("--role 'bad role' is not a valid role");
    assertThat(tokens("list").out()).contains("No API tokens");
  }
}
