package dev.quiver.client;

import dev.quiver.grpc.FeastValues;
import dev.quiver.grpc.feast.serving.FeatureList;
import dev.quiver.grpc.feast.serving.GetFeastServingInfoRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.grpc.feast.types.RepeatedValue;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The feature server over gRPC: Feast's {@code feast.serving.ServingService} on one HTTP/2 channel
 * (calls are multiplexed; share one client). Works against Feast's Java/Go gRPC feature servers too.
 * Thread-safe.
 */
public final class GrpcFeatureClient implements FeatureClient {
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final ManagedChannel channel;
  private final ServingServiceGrpc.ServingServiceBlockingStub stub;
  private final Duration deadline;
  private volatile String bearerToken;

  GrpcFeatureClient(String host, int port, Duration deadline) {
    this(host, port, deadline, null);
  }

  /** @param tls the CA to trust and the client certificate to present; null: plaintext */
  GrpcFeatureClient(String host, int port, Duration deadline, ClientTls tls) {
    NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port).maxInboundMessageSize(64 << 20);
    if (tls == null) {
      b.usePlaintext();
    } else {
      // the trust and key managers TrustedCa builds, so both clients read PEM files alike and name the file that fails
      var ssl = io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient().trustManager(TrustedCa.trust(tls.caCert()));
      if (tls.mutual()) {
        ssl.keyManager(TrustedCa.keys(tls.clientCert(), tls.clientKey()));
      }
      try {
        b.sslContext(ssl.build());
      } catch (javax.net.ssl.SSLException e) {
        throw new FeatureServerException("TLS", true, "cannot set up TLS: " + e.getMessage(), e);
      }
    }
    this.channel = b.build();
    this.stub = ServingServiceGrpc.newBlockingStub(ClientInterceptors.intercept(channel, new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<Q, R>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            String token = bearerToken;
            if (token != null) {
              headers.put(AUTHORIZATION, "Bearer " + token);
            }
            super.start(listener, headers);
          }
        };
      }
    }));
    this.deadline = deadline;
  }

  /**
   * Sends {@code authorization: Bearer <token>} metadata with every later call (what Feast's gRPC
   * clients send): an API token from {@code quiver tokens create} or an OIDC JWT, for a server with
   * {@code server.auth} on. Call it again with a fresh JWT before the old one expires; null sends none.
   * Thread-safe.
   *
   * @return this client
   * @throws IllegalArgumentException when the token cannot go in metadata (blank, spaces, line breaks)
   */
  public GrpcFeatureClient bearerToken(String token) {
    this.bearerToken = BearerToken.check(token);
    return this;
  }

  @Override
  public OnlineFeatures getOnlineFeatures(OnlineFeaturesRequest request) {
    GetOnlineFeaturesRequest.Builder b = GetOnlineFeaturesRequest.newBuilder().setFullFeatureNames(request.fullFeatureNames())
        .setIncludeFeatureViewVersionMetadata(request.featureViewMetadata());
    if (request.featureService() != null) {
      b.setFeatureService(request.featureService());
    } else {
      b.setFeatures(FeatureList.newBuilder().addAllVal(request.features()));
    }
    request.entities().forEach((k, v) -> b.putEntities(k, column(k, v)));
    request.requestContext().forEach((k, v) -> b.putRequestContext(k, column(k, v)));
    GetOnlineFeaturesResponse r = call(() -> stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
        .getOnlineFeatures(b.build()));
    List<String> names = r.getMetadata().getFeatureNames().getValList();
    List<OnlineFeatures.Column> columns = new ArrayList<>(r.getResultsCount());
    for (int c = 0; c < r.getResultsCount(); c++) {
      GetOnlineFeaturesResponse.FeatureVector v = r.getResults(c);
      List<Object> values = new ArrayList<>(v.getValuesCount());
      v.getValuesList().forEach(x -> values.add(FeastValues.toJava(x)));
      List<FieldStatus> statuses = new ArrayList<>(v.getStatusesCount());
      v.getStatusesList().forEach(s -> statuses.add(switch (s) {
        case PRESENT -> FieldStatus.PRESENT;
        case NULL_VALUE -> FieldStatus.NULL_VALUE;
        case NOT_FOUND -> FieldStatus.NOT_FOUND;
        case OUTSIDE_MAX_AGE -> FieldStatus.OUTSIDE_MAX_AGE;
        case INVALID, UNRECOGNIZED -> FieldStatus.INVALID;
      }));
      List<Instant> times = new ArrayList<>(v.getEventTimestampsCount());
      v.getEventTimestampsList().forEach(t -> times.add(Instant.ofEpochSecond(t.getSeconds(), t.getNanos())));
      columns.add(new OnlineFeatures.Column(c < names.size() ? names.get(c) : "column_" + c, values, statuses, times));
    }
    List<OnlineFeatures.ViewVersion> views = new ArrayList<>(r.getMetadata().getFeatureViewMetadataCount());
    r.getMetadata().getFeatureViewMetadataList().forEach(m -> views.add(new OnlineFeatures.ViewVersion(m.getName(), m.getVersion())));
    return new OnlineFeatures(names, columns, views);
  }

  @Override
  public String serverVersion() {
    return call(() -> stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
        .getFeastServingInfo(GetFeastServingInfoRequest.getDefaultInstance())).getVersion();
  }

  /** Closes the channel, waiting up to a second for calls in flight. */
  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static RepeatedValue column(String name, List<Object> values) {
    RepeatedValue.Builder b = RepeatedValue.newBuilder();
    for (Object v : values) {
      try {
        b.addVal(FeastValues.fromJava(v));
      } catch (IllegalArgumentException e) {
        throw new FeatureServerException("INVALID_ARGUMENT", true, "column '" + name + "': " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  private static <T> T call(java.util.function.Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      boolean client = code == Status.Code.INVALID_ARGUMENT || code == Status.Code.NOT_FOUND
          || code == Status.Code.OUT_OF_RANGE;
      String name = code == Status.Code.DEADLINE_EXCEEDED ? "UNREACHABLE" : code.name();
      String description = e.getStatus().getDescription();
      throw new FeatureServerException(name, client, code + (description == null ? "" : ": " + description), e);
    }
  }
}
