package dev.quiver.online.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyRefTest {
  @Test
  void orderIsRocksDbsByteOrder() {
    Random random = new Random(19);
    byte[][] keys = new byte[4000][];
    for (int i = 0; i < keys.length; i++) {
      // short keys with many zero and 0xFF bytes, so prefixes tie and padding is tested
      byte[] k = new byte[random.nextInt(12)];
      for (int j = 0; j < k.length; j++) {
        int pick = random.nextInt(4);
        k[j] = pick == 0 ? 0 : pick == 1 ? (byte) 0xFF : pick == 2 ? (byte) 0x80 : (byte) random.nextInt(256);
      }
      keys[i] = k;
    }
    for (int i = 0; i < keys.length; i++) {
      for (int j = i; j < Math.min(keys.length, i + 40); j++) {
        int expected = Integer.signum(Arrays.compareUnsigned(keys[i], keys[j]));
        assertEquals(expected, Integer.signum(KeyRef.ORDER.compare(new KeyRef(keys[i]), new KeyRef(keys[j]))),
            Arrays.toString(keys[i]) + " vs " + Arrays.toString(keys[j]));
        assertEquals(-expected, Integer.signum(KeyRef.ORDER.compare(new KeyRef(keys[j]), new KeyRef(keys[i]))));
      }
    }
  }

  @Test
  void sortsAsBytesDo() {
    Random random = new Random(7);
    KeyRef[] refs = new KeyRef[5000];
    for (int i = 0; i < refs.length; i++) {
      byte[] k = new byte[1 + random.nextInt(16)];
      random.nextBytes(k);
      if (random.nextBoolean()) {
        k[0] = 3; // a shared first byte, as encoded keys of one type have
      }
      refs[i] = new KeyRef(k);
    }
    KeyRef[] byOrder = refs.clone();
    Arrays.sort(byOrder, KeyRef.ORDER);
    KeyRef[] byBytes = refs.clone();
    Arrays.sort(byBytes, (a, b) -> Arrays.compareUnsigned(a.bytes, b.bytes));
    for (int i = 0; i < refs.length; i++) {
      assertEquals(0, Arrays.compareUnsigned(byOrder[i].bytes, byBytes[i].bytes), "position " + i);
    }
  }
}
