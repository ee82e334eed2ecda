package dev.quiver.bench.serve;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny HTTP server for the load generator's tests, on one event-loop thread, on a free loopback
 * port. Per request (numbered from 0 in arrival order) a {@link Behaviour} says what to answer and
 * after how long; a one-time stall holds every response until a moment has passed.
 */
final class StubServer implements AutoCloseable {

  /** What to do with request {@code n}: a status, a delay in ms, or {@code -1} as status to never answer. */
  interface Behaviour {
    Answer answer(long n);
  }

  record Answer(int status, long delayMillis) {
    static Answer ok() {
      return new Answer(200, 0);
    }
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  private final AtomicLong received = new AtomicLong();
  private final Behaviour behaviour;
  private final long stallAt;
  private final long stallMillis;
  private long stallUntil;
  private volatile long stallStartedNanos;

  /**
   * @param stallAt when request number {@code stallAt} arrives, hold every response (that one
   *     included) until {@code stallMillis} later; -1 for no stall
   */
  StubServer(Behaviour behaviour, long stallAt, long stallMillis) {
    this.behaviour = behaviour;
    this.stallAt = stallAt;
    this.stallMillis = stallMillis;
    this.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec()).addLast(new HttpObjectAggregator(1 << 20)).addLast(new Handler());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  long received() {
    return received.get();
  }

  /** nanoTime at which the stall began (0 if it did not). */
  long stallStartedNanos() {
    return stallStartedNanos;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      long n = received.getAndIncrement();
      long now = System.nanoTime();
      if (n == stallAt) {
        stallStartedNanos = now;
        stallUntil = now + TimeUnit.MILLISECONDS.toNanos(stallMillis);
      }
      Answer a = behaviour.answer(n);
      if (a.status() < 0) {
        return; // never answered
      }
      long delay = Math.max(TimeUnit.MILLISECONDS.toNanos(a.delayMillis()), stallUntil - now);
      byte[] body = ("{\"n\": " + n + "}").getBytes(StandardCharsets.UTF_8);
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(a.status()),
          Unpooled.wrappedBuffer(body));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      if (a.status() == 503) {
        r.headers().set(HttpHeaderNames.RETRY_AFTER, "1"); // as Quiver's refusals
      }
      if (delay <= 0) {
        ctx.writeAndFlush(r);
      } else {
        ctx.executor().schedule(() -> ctx.writeAndFlush(r), delay, TimeUnit.NANOSECONDS);
      }
    }
  }
}
