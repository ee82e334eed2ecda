package dev.quiver.server.grpc;

import dev.quiver.server.ServerMetrics;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFactory;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC port's connection cap (grpc-java has none): listening channels that count the connections
 * they accepted and are still open, and close a newly accepted one at once when the count is at the
 * cap (the client sees the connection close and reconnects with backoff, as for a server that is
 * unavailable). Native epoll where Netty has it (as the HTTP front end), NIO elsewhere; the count is
 * shared by the channels one front end creates.
 */
final class CappedServerChannel {
  private CappedServerChannel() {}

  /** Listening channels of the transport {@code epoll} says, each capped at {@code max} open connections. */
  static ChannelFactory<ServerChannel> factory(boolean epoll, AtomicInteger open, int max, ServerMetrics metrics) {
    return () -> {
      ServerChannel channel = epoll ? new EpollServerSocketChannel() : new NioServerSocketChannel();
      channel.pipeline().addFirst(new Cap(open, max, metrics)); // ahead of the acceptor the server adds
      return channel;
    };
  }

  /** Sees each accepted connection before the server's acceptor does. */
  private static final class Cap extends ChannelInboundHandlerAdapter {
    private final AtomicInteger open;
    private final int max;
    private final ServerMetrics metrics;

    Cap(AtomicInteger open, int max, ServerMetrics metrics) {
      this.open = open;
      this.max = max;
      this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel child = (Channel) msg;
      if (open.incrementAndGet() > max) {
        open.decrementAndGet();
        metrics.connectionClosed(ServerMetrics.OVER_CAPACITY); // counted before the client can see the close
        child.unsafe().closeForcibly();
        return;
      }
      child.closeFuture().addListener(f -> open.decrementAndGet());
      ctx.fireChannelRead(child);
    }
  }
}
