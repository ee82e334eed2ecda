package dev.quiver.core.aggregate;

import java.util.Arrays;

/**
 * A HyperLogLog sketch with 2^12 registers (about 1.6% relative standard error), kept sparse while
 * few registers are set. Merging takes the maximum per register, so the registers — and the estimate,
 * which reads only them — are the same whatever the order of updates and merges. Values are hashed
 * from their state bytes with 64-bit FNV-1a followed by MurmurHash3's fmix64 finaliser.
 *
 * <p>Written here rather than taken from Apache DataSketches: its 8.0.0 release depends on
 * datasketches-memory 6.0.0, whose classes use Java 21 preview features and do not load on the
 * JDK 25 this project builds with; 6.x refuses JDK 25 at start-up and 7.x needs an incubator module
 * that JDK 25 no longer has. Not thread-safe.
 */
final class HyperLogLog {
  static final int P = 12;
  static final int M = 1 << P;
  /** Above this many set registers the sketch turns dense (and encodes dense). */
  static final int SPARSE_LIMIT = M / 8;
  private static final double ALPHA = 0.7213 / (1 + 1.079 / M);

  /** Dense registers, or null while sparse. */
  private byte[] registers;
  /** Sparse: sorted {@code index << 8 | rank}, one per set register. */
  private int[] sparse = new int[4];
  private int sparseSize;

  HyperLogLog copy() {
    HyperLogLog c = new HyperLogLog();
    c.registers = registers == null ? null : registers.clone();
    c.sparse = sparse.clone();
    c.sparseSize = sparseSize;
    return c;
  }

  void addBytes(byte[] value) {
    long h = fmix64(fnv1a(value));
    int index = (int) (h >>> (64 - P));
    int rank = Long.numberOfLeadingZeros((h << P) | (1L << (P - 1))) + 1;
    set(index, rank);
  }

  private void set(int index, int rank) {
    if (registers != null) {
      if (registers[index] < rank) {
        registers[index] = (byte) rank;
      }
      return;
    }
    int at = Arrays.binarySearch(sparse, 0, sparseSize, index << 8);
    int pos = at >= 0 ? at : -at - 1;
    if (pos < sparseSize && (sparse[pos] >>> 8) == index) {
      if ((sparse[pos] & 0xFF) < rank) {
        sparse[pos] = index << 8 | rank;
      }
      return;
    }
    if (sparseSize == SPARSE_LIMIT) {
      densify();
      set(index, rank);
      return;
    }
    if (sparseSize == sparse.length) {
      sparse = Arrays.copyOf(sparse, sparse.length * 2);
    }
    System.arraycopy(sparse, pos, sparse, pos + 1, sparseSize - pos);
    sparse[pos] = index << 8 | rank;
    sparseSize++;
  }

  private void densify() {
    registers = new byte[M];
    for (int i = 0; i < sparseSize; i++) {
      registers[sparse[i] >>> 8] = (byte) (sparse[i] & 0xFF);
    }
    sparse = new int[0];
    sparseSize = 0;
  }

  void merge(HyperLogLog other) {
    if (other.registers == null) {
      for (int i = 0; i < other.sparseSize; i++) {
        set(other.sparse[i] >>> 8, other.sparse[i] & 0xFF);
      }
      return;
    }
    if (registers == null) {
      densify();
    }
    for (int i = 0; i < M; i++) {
      if (registers[i] < other.registers[i]) {
        registers[i] = other.registers[i];
      }
    }
  }

  boolean isEmpty() {
    return registers == null && sparseSize == 0;
  }

  private byte[] dense() {
    if (registers != null) {
      return registers;
    }
    byte[] r = new byte[M];
    for (int i = 0; i < sparseSize; i++) {
      r[sparse[i] >>> 8] = (byte) (sparse[i] & 0xFF);
    }
    return r;
  }

  /** The estimate: raw HLL, or linear counting while it is below 2.5·m and a register is unset. */
  long estimate() {
    if (isEmpty()) {
      return 0;
    }
    byte[] r = dense();
    double sum = 0;
    int zeros = 0;
    for (int i = 0; i < M; i++) {
      sum += Math.scalb(1.0, -r[i]);
      if (r[i] == 0) {
        zeros++;
      }
    }
    double e = ALPHA * M * (double) M / sum;
    if (e <= 2.5 * M && zeros > 0) {
      e = M * StrictMath.log((double) M / zeros);
    }
    return Math.round(e);
  }

  /** Sparse (0x00, count, index/rank pairs) while at most {@link #SPARSE_LIMIT} registers are set, else dense (0x01, 4096 bytes). */
  void write(StateCodec.Sink out) {
    byte[] r = dense();
    int set = 0;
    for (byte b : r) {
      set += b != 0 ? 1 : 0;
    }
    if (set <= SPARSE_LIMIT) {
      out.u8(0);
      out.varint(set);
      for (int i = 0; i < M; i++) {
        if (r[i] != 0) {
          out.varint(i);
          out.u8(r[i]);
        }
      }
    } else {
      out.u8(1);
      for (byte b : r) {
        out.u8(b);
      }
    }
  }

  static HyperLogLog read(StateCodec.Source in) {
    HyperLogLog h = new HyperLogLog();
    int form = in.u8();
    if (form == 0) {
      int n = in.count(2);
      for (int i = 0; i < n; i++) {
        long index = in.varint();
        int rank = in.u8();
        if (index >= M || rank < 1 || rank > 64 - P + 1) {
          throw StateCodec.Source.corrupt("an HLL register is out of range");
        }
        h.set((int) index, rank);
      }
    } else if (form == 1) {
      h.registers = new byte[M];
      for (int i = 0; i < M; i++) {
        h.registers[i] = (byte) in.u8();
      }
    } else {
      throw StateCodec.Source.corrupt("an HLL form byte is " + form);
    }
    return h;
  }

  static long fnv1a(byte[] b) {
    long h = 0xcbf29ce484222325L;
    for (byte x : b) {
      h ^= x & 0xFF;
      h *= 0x100000001b3L;
    }
    return h;
  }

  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
