package dev.quiver.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The raw-bytes marshallers of {@code GetOnlineFeatures}: every byte in, every byte out, whatever the stream says. */
class StrictParsingBytesTest {
  @SuppressWarnings("unchecked")
  private static final MethodDescriptor<byte[], byte[]> METHOD = (MethodDescriptor<byte[], byte[]>) StrictParsing
      .bind(new FeastServingService(null, null, new AtomicInteger(), 1))
      .getMethod(ServingServiceGrpc.getGetOnlineFeaturesMethod().getFullMethodName()).getMethodDescriptor();

  @Test
  void requestsAreReadWhole() throws Exception {
    Random random = new Random(30);
    for (int n : new int[] {0, 1, 100, 16_384, 70_000}) {
      byte[] bytes = new byte[n];
      random.nextBytes(bytes);
      assertThat(METHOD.parseRequest(new Sized(bytes, n))).isEqualTo(bytes);
      assertThat(METHOD.parseRequest(new Sized(bytes, n / 2))).as("a stream that says less than it has").isEqualTo(bytes);
      assertThat(METHOD.parseRequest(new ByteArrayInputStream(bytes))).isEqualTo(bytes);
    }
  }

  @Test
  void responsesAreWrittenWholeWithTheirLength() throws Exception {
    byte[] bytes = new byte[5_000];
    new Random(31).nextBytes(bytes);
    InputStream stream = METHOD.streamResponse(bytes);
    assertThat(stream).isInstanceOf(KnownLength.class).isInstanceOf(Drainable.class);
    assertThat(stream.available()).isEqualTo(bytes.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(((Drainable) stream).drainTo(out)).isEqualTo(bytes.length);
    assertThat(out.toByteArray()).isEqualTo(bytes);
    assertThat(stream.read()).isEqualTo(-1);
  }

  /** A gRPC-like message stream whose {@code available()} claims {@code claimed} bytes at first. */
  private static final class Sized extends ByteArrayInputStream implements KnownLength {
    private int claimed;

    Sized(byte[] bytes, int claimed) {
      super(bytes);
      this.claimed = claimed;
    }

    @Override
    public synchronized int available() {
      int said = claimed >= 0 ? claimed : super.available();
      claimed = -1;
      return said;
    }
  }
}
