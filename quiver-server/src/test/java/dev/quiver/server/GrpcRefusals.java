package dev.quiver.server;

import dev.quiver.grpc.feast.serving.FeatureList;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.Value;
import dev.quiver.server.grpc.GrpcFrontEnd;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** {@link RefusalCostMeasure} over gRPC: network-thread CPU per call refused {@code UNAVAILABLE}. */
final class GrpcRefusals {
  private GrpcRefusals() {}

  static void measure(ServerOptions options, FeatureServing held, ThreadPoolExecutor worker, CountDownLatch release,
      int perRound, int rounds, int clients) throws Exception {
    GrpcFrontEnd front = GrpcFrontEnd.start(options, 10_000, held, new ServerMetrics(), worker);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", front.port()).usePlaintext().build();
    try {
      FeatureList.Builder features = FeatureList.newBuilder();
      for (int i = 0; i < 50; i++) {
        features.addVal("user_wide:f" + i);
      }
      GetOnlineFeaturesRequest read = GetOnlineFeaturesRequest.newBuilder().setFeatures(features)
          .putEntities("user_id", RepeatedValue.newBuilder().addVal(Value.newBuilder().setInt64Val(12345)).build()).build();
      var blocking = ServingServiceGrpc.newBlockingStub(channel);
      for (int i = 0; i < 16; i++) { // learn the service time
        blocking.getOnlineFeatures(read);
      }
      var async = ServingServiceGrpc.newStub(channel);
      for (int i = 0; i < 4; i++) { // one held by the worker, three queued behind it
        async.getOnlineFeatures(read, new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse r) {}

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
        Thread.sleep(50);
      }
      long[] server = RefusalCostMeasure.serverThreads();
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      System.out.printf("gRPC: server network threads %d; %d refusals a round from %d client threads; load average %.2f%n",
          server.length, perRound, clients, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      for (int round = 0; round < rounds; round++) {
        long cpu0 = RefusalCostMeasure.cpu(mx, server);
        AtomicLong other = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        int n = perRound / clients;
        for (int c = 0; c < clients; c++) {
          threads.add(Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
              try {
                blocking.getOnlineFeatures(read);
                other.incrementAndGet();
              } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                  other.incrementAndGet();
                }
              }
            }
          }));
        }
        for (Thread t : threads) {
          t.join();
        }
        long cpu = RefusalCostMeasure.cpu(mx, server) - cpu0;
        long answered = (long) n * clients;
        System.out.printf("round %d: %,d answered (%d not UNAVAILABLE), server network thread CPU %.3f s: %.2f µs per"
                + " refusal; load average %.2f%n", round + 1, answered, other.get(), cpu / 1e9, cpu / 1e3 / answered,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      }
    } finally {
      release.countDown();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      front.close();
      worker.shutdownNow();
    }
  }
}
