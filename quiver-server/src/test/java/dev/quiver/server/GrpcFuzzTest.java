package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.grpc.feast.serving.FeatureList;
import dev.quiver.grpc.feast.serving.FieldStatus;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.grpc.feast.types.Int64List;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.StringList;
import dev.quiver.grpc.feast.types.Value;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random and mutated gRPC calls: requests assembled from random refs, services, key
 * columns and values of every Feast type, and byte-level mutations of valid requests sent raw. None
 * may end in a server-side status (INTERNAL, UNKNOWN, UNAVAILABLE, DATA_LOSS), and the server answers
 * correctly afterwards. Seeded: {@code -Dquiver.fuzz.seed=N}.
 */
class GrpcFuzzTest {
  static final int CALLS = Integer.getInteger("quiver.fuzz.requests", 3000);
  static final String[] REFS = {"user_stats:amount", "user_stats:tags", "user_stats:*", "user_stats@v1:country",
      "user_stats@v9:amount", "nope:x", "user_stats:", ":", "", "a:b:c", "user_stats:seen_at", "\u0000:\uffff"};
  static final String[] SERVICES = {"scoring", "scoring@v1", "scoring@v99", "scoring:v1", "nope", "", "@", "scoring@v99999999999"};
  static final String[] KEYS = {"user_id", "user_id", "user_id", "merchant_id", "", "amount"};
  static final Set<Status.Code> SERVER_SIDE =
      Set.of(Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.UNAVAILABLE, Status.Code.DATA_LOSS);

  static final MethodDescriptor<byte[], byte[]> RAW = ServingServiceGrpc.getGetOnlineFeaturesMethod().toBuilder(
      new BytesMarshaller(), new BytesMarshaller()).build();

  @TempDir Path tmp;

  @Test
  void noCallEndsInAServerSideStatusAndTheServerStaysHealthy() throws Exception {
    long seed = Long.getLong("quiver.fuzz.seed", System.nanoTime());
    System.out.println("GrpcFuzzTest seed: " + seed + " (rerun with -Dquiver.fuzz.seed=" + seed + ")");
    Random random = new Random(seed);
    try (FeatureRepo repo = FeatureRepo.open(TestRepo.rocksdb(tmp.resolve("repo")));
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, 0).withLimits(256 * 1024, 1000))) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      try {
        var stub = ServingServiceGrpc.newBlockingStub(channel);
        Map<String, Integer> codes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
          GetOnlineFeaturesRequest request = randomRequest(random);
          Status.Code code;
          byte[] sent = request.toByteArray();
          try {
            if (random.nextInt(3) == 0) {
              sent = mutate(sent, random);
              ClientCalls.blockingUnaryCall(channel, RAW, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), sent);
            } else {
              stub.withDeadlineAfter(10, TimeUnit.SECONDS).getOnlineFeatures(request);
            }
            code = Status.Code.OK;
          } catch (StatusRuntimeException e) {
            code = e.getStatus().getCode();
            if (SERVER_SIDE.contains(code)) {
              failures.add(e.getStatus() + " for " + ByteString.copyFrom(sent));
            } else if (e.getStatus().getDescription() == null || e.getStatus().getDescription().isBlank()) {
              failures.add("no message with " + e.getStatus());
            }
          }
          codes.merge(code.name(), 1, Integer::sum);
        }
        System.out.println("GrpcFuzzTest status codes: " + codes);
        assertThat(failures).as("seed " + seed).isEmpty();
        assertThat(codes).containsKeys("OK", "INVALID_ARGUMENT", "NOT_FOUND");
        var answer = stub.getOnlineFeatures(GetOnlineFeaturesRequest.newBuilder()
            .setFeatures(FeatureList.newBuilder().addVal("user_stats:amount"))
            .putEntities("user_id", RepeatedValue.newBuilder().addVal(Value.newBuilder().setInt64Val(2)).build()).build());
        assertThat(answer.getResults(1).getStatuses(0)).isEqualTo(FieldStatus.PRESENT);
        assertThat(answer.getResults(1).getValues(0).getDoubleVal()).isEqualTo(3.0);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  static GetOnlineFeaturesRequest randomRequest(Random r) {
    GetOnlineFeaturesRequest.Builder b = GetOnlineFeaturesRequest.newBuilder().setFullFeatureNames(r.nextBoolean());
    switch (r.nextInt(4)) {
      case 0 -> b.setFeatureService(SERVICES[r.nextInt(SERVICES.length)]);
      case 1 -> { }
      default -> {
        FeatureList.Builder f = FeatureList.newBuilder();
        for (int i = r.nextInt(4); i >= 0; i--) {
          f.addVal(REFS[r.nextInt(REFS.length)]);
        }
        b.setFeatures(f);
      }
    }
    int rows = r.nextInt(5) == 0 ? r.nextInt(1200) : r.nextInt(6);
    for (int k = r.nextInt(3); k >= 0; k--) {
      RepeatedValue.Builder col = RepeatedValue.newBuilder();
      int n = r.nextInt(6) == 0 ? r.nextInt(8) : rows;
      for (int i = 0; i < n; i++) {
        col.addVal(randomValue(r));
      }
      b.putEntities(KEYS[r.nextInt(KEYS.length)], col.build());
    }
    if (r.nextInt(4) == 0) {
      b.putRequestContext("amount", RepeatedValue.newBuilder().addVal(randomValue(r)).build());
    }
    return b.build();
  }

  static Value randomValue(Random r) {
    Value.Builder v = Value.newBuilder();
    switch (r.nextInt(12)) {
      case 0, 1, 2 -> v.setInt64Val(r.nextInt(5) == 0 ? r.nextLong() : r.nextInt(150));
      case 3 -> v.setInt32Val(r.nextInt());
      case 4 -> v.setDoubleVal(r.nextBoolean() ? r.nextGaussian() * 100 : Double.NaN);
      case 5 -> v.setFloatVal(r.nextFloat());
      case 6 -> v.setStringVal(r.nextBoolean() ? String.valueOf(r.nextInt(150)) : "x\u0000" + r.nextInt());
      case 7 -> v.setBoolVal(r.nextBoolean());
      case 8 -> v.setBytesVal(ByteString.copyFrom(new byte[] {(byte) r.nextInt(), 0, -1}));
      case 9 -> v.setUnixTimestampVal(r.nextLong());
      case 10 -> v.setInt64ListVal(Int64List.newBuilder().addVal(r.nextLong()));
      default -> {
        if (r.nextBoolean()) {
          v.setStringListVal(StringList.newBuilder().addVal("a"));
        }
      }
    }
    return v.build();
  }

  static byte[] mutate(byte[] valid, Random r) {
    byte[] b = valid.length == 0 ? new byte[] {(byte) r.nextInt()} : valid.clone();
    for (int i = 1 + r.nextInt(4); i > 0; i--) {
      switch (r.nextInt(3)) {
        case 0 -> b[r.nextInt(b.length)] = (byte) r.nextInt();
        case 1 -> b = java.util.Arrays.copyOf(b, Math.max(0, b.length - 1 - r.nextInt(Math.max(1, b.length))));
        default -> {
          byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(8));
          for (int j = b.length; j < longer.length; j++) {
            longer[j] = (byte) r.nextInt();
          }
          b = longer;
        }
      }
      if (b.length == 0) {
        b = new byte[] {(byte) r.nextInt()};
      }
    }
    return b;
  }

  /** Sends and receives messages as raw bytes, so that malformed protobuf reaches the server. */
  static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
