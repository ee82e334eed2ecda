package dev.quiver.online.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineStoreProvider;
import io.lettuce.core.RedisURI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Finding the provider and reading its options; nothing here needs a server. */
class RedisOnlineStoreProviderTest {

  private static Map<String, Object> options(Object... pairs) {
    Map<String, Object> out = new HashMap<>();
    out.put("type", "redis");
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], pairs[i + 1]);
    }
    return out;
  }

  @Test
  void serviceLoaderFindsTheRedisType() {
    assertThat(ServiceLoader.load(OnlineStoreProvider.class).stream().map(p -> p.get().type()))
        .contains("redis");
  }

  @Test
  void defaults() {
    RedisSettings s = RedisSettings.parse(options());
    assertThat(s.cluster()).isFalse();
    assertThat(s.uris()).hasSize(1);
    assertThat(s.uris().getFirst().getHost()).isEqualTo("localhost");
    assertThat(s.uris().getFirst().getPort()).isEqualTo(6379);
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.commandTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.poolSize()).isEqualTo(RedisSettings.DEFAULT_POOL_SIZE);
    assertThat(s.keyPrefix()).isEqualTo("quiver");
    assertThat(s.endpoint()).isEqualTo("redis at localhost:6379");
  }

  @Test
  void everyOptionIsRead() {
    RedisSettings s = RedisSettings.parse(options(
        "url", "redis://a:7000, redis://b:7001", "cluster", "true", "username", "app", "password", 1234,
        "tls", true, "connect_timeout", "2s", "command_timeout", "250ms", "pool_size", 3, "key_prefix", "fs"));
    assertThat(s.cluster()).isTrue();
    assertThat(s.uris()).extracting(RedisURI::getHost).containsExactly("a", "b");
    assertThat(s.uris()).allSatisfy(u -> {
      assertThat(u.isSsl()).isTrue();
      var credentials = u.getCredentialsProvider().resolveCredentials().block();
      assertThat(credentials.getUsername()).isEqualTo("app");
      assertThat(new String(credentials.getPassword())).isEqualTo("1234");
      assertThat(u.getTimeout()).isEqualTo(Duration.ofMillis(250));
    });
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.poolSize()).isEqualTo(3);
    assertThat(s.keyPrefix()).isEqualTo("fs");
    assertThat(s.endpoint()).isEqualTo("redis cluster at a:7000,b:7001");
    assertThat(RedisSettings.parse(options("url", List.of("redis://a:1", "redis://b:2"), "cluster", true)).uris())
        .hasSize(2);
    assertThat(RedisSettings.parse(options("url", "rediss://secure:6380/2")).uris().getFirst())
        .satisfies(u -> assertThat(u.isSsl()).isTrue())
        .satisfies(u -> assertThat(u.getDatabase()).isEqualTo(2));
  }

  @Test
  void unknownOptionsAreNamed() {
    assertThatThrownBy(() -> RedisSettings.parse(options("urll", "redis://x", "timeout", "1s")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("unknown online options 'timeout', 'urll' for type redis")
        .hasMessageContaining("known: url, cluster");
    assertThatThrownBy(() -> RedisSettings.parse(options("comand_timeout", "1s")))
        .hasMessageContaining("'comand_timeout'").hasMessageContaining("did you mean 'command_timeout'?");
  }

  @Test
  void malformedOptionsAreNamed() {
    assertBad(options("command_timeout", "500"), "online.command_timeout must be a duration");
    assertBad(options("command_timeout", 500), "online.command_timeout must be a duration with a unit");
    assertBad(options("connect_timeout", "0s"), "online.connect_timeout must be longer than zero");
    assertBad(options("pool_size", "many"), "online.pool_size must be a whole number from 1 to 64");
    assertBad(options("pool_size", 0), "online.pool_size");
    assertBad(options("cluster", "yes please"), "online.cluster must be true or false");
    assertBad(options("tls", 1), "online.tls must be true or false");
    assertBad(options("url", "http://localhost:6379"), "must start with redis://");
    assertBad(options("url", ""), "online.url is empty");
    assertBad(options("url", 6379), "online.url must be a redis:// URL");
    assertBad(options("url", "redis://a:1,redis://b:2"), "add 'cluster: true'");
    assertBad(options("url", "rediss://a:1", "tls", false), "uses rediss:// (TLS) but online.tls is false");
    assertBad(options("url", "redis://a:1/3", "cluster", true), "a Redis Cluster has only database 0");
    assertBad(options("username", "app"), "online.username is set but online.password is not");
    assertBad(options("key_prefix", "a{b}"), "online.key_prefix must be a non-empty string without '{' or '}'");
    assertBad(options("key_prefix", ""), "online.key_prefix");
  }

  @Test
  void passwordsInUrlsStayOutOfMessages() {
    assertThatThrownBy(() -> RedisSettings.parse(options("url", "rediss://u:s3cret@a:1", "tls", false)))
        .hasMessageContaining("rediss://***@a:1").hasMessageNotContaining("s3cret");
  }

  @Test
  void openRequiresTheRepoRootAndOptions() {
    RedisOnlineStoreProvider provider = new RedisOnlineStoreProvider();
    assertThat(provider.type()).isEqualTo("redis");
    assertThatThrownBy(() -> provider.open(options(), null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> provider.open(null, Path.of("."))).isInstanceOf(NullPointerException.class);
  }

  private static void assertBad(Map<String, Object> options, String message) {
    assertThatThrownBy(() -> RedisSettings.parse(options)).isInstanceOf(QuiverException.class).hasMessageContaining(message);
  }
}
