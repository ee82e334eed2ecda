package dev.quiver.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.load.DefinitionLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An HTTP error body never carries a value read from a secret in quiver.yaml. */
class ErrorBodySecretsTest {
  @TempDir Path repo;

  @Test
  void secretsInErrorMessagesAreMasked() throws Exception {
    Files.writeString(repo.resolve("redis.txt"), "redis-secret-in-body-55\n");
    Files.writeString(repo.resolve("quiver.yaml"),
        "project: p\nonline: {type: redis, url: 'redis://:${file:redis.txt}@cache:6379'}\n");
    new DefinitionLoader().loadConfig(repo);

    for (String path : new String[] {"/get-online-features", "/api/v1/views"}) {
      String body = new String(ErrorBody.of(new ObjectMapper(), path, 503, "unavailable",
          "online store redis://:redis-secret-in-body-55@cache:6379 failed", null), StandardCharsets.UTF_8);
      assertThat(body).doesNotContain("redis-secret-in-body-55").contains("redis://:***@cache:6379");
    }
  }
}
