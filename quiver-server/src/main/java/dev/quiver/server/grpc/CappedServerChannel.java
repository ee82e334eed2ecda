package dev.quiver.server.grpc;

import dev.quiver.server.ServerMetrics;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC port's connection cap (grpc-java has none): a listening channel that counts the
 * connections it accepted and are still open, and closes a newly accepted one at once when the count
 * is at the cap (the client sees the connection close and reconnects with backoff, as for a server
 * that is unavailable). NIO transport; the count is shared by the channels one front end creates.
 */
final class CappedServerChannel extends NioServerSocketChannel {
  private final AtomicInteger open;
  private final int max;
  private final ServerMetrics metrics;

  CappedServerChannel(AtomicInteger open, int max, ServerMetrics metrics) {
    this.open = open;
    this.max = max;
    this.metrics = metrics;
  }

  @Override
  protected int doReadMessages(List<Object> buf) throws Exception {
    int before = buf.size();
    super.doReadMessages(buf);
    for (int i = buf.size() - 1; i >= before; i--) {
      Channel child = (Channel) buf.get(i);
      if (open.incrementAndGet() > max) {
        open.decrementAndGet();
        buf.remove(i);
        metrics.connectionClosed(ServerMetrics.OVER_CAPACITY); // counted before the client can see the close
        child.unsafe().closeForcibly();
      } else {
        child.closeFuture().addListener(f -> open.decrementAndGet());
      }
    }
    return buf.size() - before;
  }
}
