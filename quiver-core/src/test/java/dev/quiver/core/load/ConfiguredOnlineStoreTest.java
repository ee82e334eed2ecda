package dev.quiver.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStoreOpener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online store opener that travels to an engine's workers: secrets as references (never their
 * values) in what is serialized, resolved where it is opened; an embedded store lent, not reopened.
 */
class ConfiguredOnlineStoreTest {
  private static final String SECRET = "hunter22-not-shipped";
  private static final String MISSING_VAR = "QUIVER_TEST_UNSET_" + Long.toHexString(System.nanoTime()).toUpperCase();

  @TempDir Path root;

  @Test
  void carriesSecretReferencesNotTheirValues() throws Exception {
    Files.writeString(root.resolve("quiver.yaml"), "project: p\nonline: {type: redis, url: 'redis://u:${file:pw.txt}@h:1',"
        + " password: '${" + MISSING_VAR + "}', key_prefix: x, max_future_skew: 1h}\n");
    // what the loader resolved: the values
    RepoConfig config = new RepoConfig(root, "p", Map.of(), Map.of(), Map.of("type", "redis", "url", "redis://u:" + SECRET
        + "@h:1", "password", SECRET, "key_prefix", "x"), List.of());
    ConfiguredOnlineStore opener = ConfiguredOnlineStore.of(config, store(false, new AtomicInteger()));
    byte[] shipped = serialize(opener);
    String text = new String(shipped, StandardCharsets.ISO_8859_1);
    assertThat(text).doesNotContain(SECRET).contains("${" + MISSING_VAR + "}").contains("${file:pw.txt}");
    assertThat(opener.shared()).isTrue();
    assertThat(opener.describe()).isEqualTo("redis (url redis://***@h:1)");
    // resolved where it is opened: here the variable is not set, and the error names it, not a value
    OnlineStoreOpener there = deserialize(shipped);
    assertThatThrownBy(there::open).isInstanceOf(QuiverException.class)
        .hasMessageContaining(MISSING_VAR).hasMessageContaining("not set").hasMessageNotContaining(SECRET);
  }

  @Test
  void aSectionBuiltInCodeTravelsAsGiven() {
    RepoConfig config = new RepoConfig(root, "p", Map.of(), Map.of(), Map.of("type", "nosuchstore"), List.of());
    ConfiguredOnlineStore opener = ConfiguredOnlineStore.of(config, store(false, new AtomicInteger()));
    assertThatThrownBy(opener::open).isInstanceOf(QuiverException.class)
        .hasMessageContaining("no online store of type 'nosuchstore' is installed");
  }

  @Test
  void anEmbeddedStoreIsLentInThisProcessAndItsLoanDoesNotCloseIt() throws Exception {
    AtomicInteger closed = new AtomicInteger();
    RepoConfig config = new RepoConfig(root, "p", Map.of(), Map.of(), Map.of("type", "rocksdb"), List.of());
    OnlineStore owned = store(true, closed); // held, as a repo holds its store
    ConfiguredOnlineStore opener = ConfiguredOnlineStore.of(config, owned);
    assertThat(opener.shared()).isFalse();
    OnlineStoreOpener copy = deserialize(serialize(opener)); // as an executor thread of local mode gets it
    try (OnlineStore lent = copy.open()) {
      assertThat(lent.inProcess()).isTrue();
    }
    assertThat(closed).hasValue(0);
    assertThat(owned.inProcess()).isTrue();
  }

  private static OnlineStore store(boolean inProcess, AtomicInteger closed) {
    return (OnlineStore) Proxy.newProxyInstance(OnlineStore.class.getClassLoader(), new Class<?>[] {OnlineStore.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "inProcess" -> inProcess;
          case "close" -> {
            closed.incrementAndGet();
            yield null;
          }
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> null;
        });
  }

  private static byte[] serialize(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static OnlineStoreOpener deserialize(byte[] bytes) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return (OnlineStoreOpener) in.readObject();
    }
  }
}
