package dev.quiver.server.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import dev.quiver.grpc.feast.serving.GetFeastServingInfoRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.BiConsumer;

/**
 * Binds {@link FeastServingService} so that an undecodable request is the caller's error: grpc-java
 * answers bytes that are not the method's protobuf message with {@code INTERNAL}; here each method
 * takes the raw bytes and parses them itself, answering {@code INVALID_ARGUMENT} naming the message
 * type and the reason, like every other malformed request. {@code GetOnlineFeatures} answers with the
 * response's bytes written directly ({@link FeastResponseBytes}), the same bytes its protobuf message
 * would serialize to. The wire contract is unchanged.
 */
final class StrictParsing {
  private StrictParsing() {}

  static ServerServiceDefinition bind(FeastServingService service) {
    return bind(service, Integer.MAX_VALUE);
  }

  /** As {@link #bind(FeastServingService)}, refusing requests larger than {@code maxBytes} with {@code RESOURCE_EXHAUSTED}. */
  static ServerServiceDefinition bind(FeastServingService service, int maxBytes) {
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(ServingServiceGrpc.SERVICE_NAME);
    add(b, ServingServiceGrpc.getGetFeastServingInfoMethod(), GetFeastServingInfoRequest.parser(), service::getFeastServingInfo, maxBytes);
    // answered with the response's bytes, written directly (FeastResponseBytes): the wire is the same
    add(b, ServingServiceGrpc.getGetOnlineFeaturesMethod().toBuilder(new Bytes(), new Bytes()).build(),
        GetOnlineFeaturesRequest.parser(), service::getOnlineFeaturesBytes, maxBytes);
    return b.build();
  }

  private static <Q, R> void add(ServerServiceDefinition.Builder b, MethodDescriptor<?, R> method, Parser<Q> parser,
      BiConsumer<Q, StreamObserver<R>> implementation, int maxBytes) {
    MethodDescriptor<byte[], R> raw = method.toBuilder(new Bytes(), method.getResponseMarshaller()).build();
    b.addMethod(raw, ServerCalls.asyncUnaryCall((byte[] request, StreamObserver<R> out) -> {
      if (request.length > maxBytes) {
        out.onError(Status.RESOURCE_EXHAUSTED.withDescription("the " + method.getBareMethodName() + " request is "
            + request.length + " bytes, more than the server's limit of " + maxBytes + " (--max-body)").asRuntimeException());
        return;
      }
      Q parsed;
      try {
        parsed = parser.parseFrom(request);
      } catch (InvalidProtocolBufferException e) {
        out.onError(Status.INVALID_ARGUMENT.withDescription("the " + method.getBareMethodName()
            + " request is not a valid protobuf message: " + e.getMessage()).asRuntimeException());
        return;
      }
      implementation.accept(parsed, out);
    }));
  }

  /** Bytes whose length gRPC's framer can see, and that it can copy out in one write (as protobuf's own streams). */
  private static final class Known extends ByteArrayInputStream implements KnownLength, Drainable {
    Known(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }

  /** A message's bytes as they came. */
  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new Known(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        if (stream instanceof KnownLength) { // gRPC's own message streams: read into one array of the exact size
          byte[] bytes = new byte[stream.available()];
          int read = stream.readNBytes(bytes, 0, bytes.length);
          if (read == bytes.length && stream.available() == 0) {
            return bytes;
          }
          byte[] rest = stream.readAllBytes(); // not as long as it said: take what is there
          byte[] all = java.util.Arrays.copyOf(bytes, read + rest.length);
          System.arraycopy(rest, 0, all, read, rest.length);
          return all;
        }
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
