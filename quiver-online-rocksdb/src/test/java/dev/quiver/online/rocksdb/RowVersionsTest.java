package dev.quiver.online.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.online.KeyEncoding;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RowVersionsTest {
  @Test
  void consecutiveIdsSpreadOverTheSlotsAsRandomKeysWould() {
    RowVersions versions = new RowVersions(1 << 20);
    int tableHash = "user_stream".hashCode();
    Set<Integer> slots = new HashSet<>();
    for (long id = 0; id < 100_000; id++) {
      slots.add(versions.slot(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(id)), tableHash));
    }
    // random keys: about 95,400 distinct slots; Arrays.hashCode put these ids in about 9,100
    assertThat(slots).hasSizeGreaterThan(94_000);
  }

  @Test
  void aKeysSlotLiesInItsStripe() {
    RowVersions versions = new RowVersions(1 << 20);
    KeyStripes stripes = new KeyStripes(1024);
    for (long id = 0; id < 10_000; id++) {
      byte[] key = KeyEncoding.encode(List.of(ScalarType.INT64), List.of(id));
      assertThat(versions.slot(key, 7) & 1023).isEqualTo(stripes.stripe(KeyRef.hash(key), 7));
    }
  }
}
