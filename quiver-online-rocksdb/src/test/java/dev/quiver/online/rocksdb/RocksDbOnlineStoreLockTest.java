package dev.quiver.online.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStore.Entry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One process at a time: a second opener gets a message saying so, and the path once it is free. */
class RocksDbOnlineStoreLockTest {
  @TempDir Path dir;

  @Test
  void aSecondInstanceInThisProcessIsToldTheStoreIsInUse() {
    Path path = dir.resolve("online");
    try (OnlineStore first = RocksDbOnlineStore.open(path)) {
      assertThatThrownBy(() -> RocksDbOnlineStore.open(path))
          .isInstanceOf(QuiverException.class)
          .hasMessageStartingWith("the online store at " + path.toAbsolutePath() + " is in use by another process");
      first.check();
    }

    try (OnlineStore again = RocksDbOnlineStore.open(path)) {
      again.check();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void anotherProcessHoldingTheStoreIsNamedAndTheStoreOpensOnceItExits() throws Exception {
    Path path = dir.resolve("online");
    Process holder = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--enable-native-access=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            Holder.class.getName(), path.toString())
        .redirectErrorStream(true)
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line;
      StringBuilder seen = new StringBuilder();
      while ((line = out.readLine()) != null && !line.equals(Holder.READY)) {
        seen.append(line).append('\n');
      }
      assertThat(line).as("the holder process said it opened the store; it printed:%n%s", seen).isEqualTo(Holder.READY);

      assertThatThrownBy(() -> RocksDbOnlineStore.open(path))
          .isInstanceOf(QuiverException.class)
          .hasMessageStartingWith("the online store at " + path.toAbsolutePath() + " is in use by another process");

      holder.getOutputStream().close(); // the holder closes the store and exits at end of input
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(holder.exitValue()).isZero();
    } finally {
      holder.destroyForcibly();
    }

    try (OnlineStore store = RocksDbOnlineStore.open(path)) {
      assertThat(store.multiGet("t", List.of(new byte[] {1, 2, 0, 0, 0, 0, 0, 0, 0, 7}))).hasSize(1).doesNotContainNull();
    }
  }

  /** Opens the store in {@code args[0]}, writes a row, prints {@link #READY}, and closes at the end of its input. */
  public static final class Holder {
    static final String READY = "holding the online store";

    public static void main(String[] args) throws Exception {
      try (OnlineStore store = RocksDbOnlineStore.open(Path.of(args[0]))) {
        byte[] row = new byte[17];
        row[0] = 1;
        store.multiPutIfNewer("t", List.of(new Entry(new byte[] {1, 2, 0, 0, 0, 0, 0, 0, 0, 7}, row)));
        System.out.println(READY);
        System.out.flush();
        while (System.in.read() >= 0) {
          // wait for the end of input
        }
      }
    }
  }
}
