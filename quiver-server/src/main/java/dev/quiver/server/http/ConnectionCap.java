package dev.quiver.server.http;

import dev.quiver.server.ServerMetrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection cap: counts the front end's open connections, and a connection past the cap gets a
 * 503 (with {@code Retry-After}) to its first request and is closed, or is closed after the request
 * timeout if it sends nothing. One per connection; the count is shared.
 */
final class ConnectionCap extends ChannelInboundHandlerAdapter {
  private final AtomicInteger open;
  private final int max;
  private final long timeoutNanos;
  private final HttpApi api;
  private final ServerMetrics metrics;
  private boolean over;
  private boolean answered;

  ConnectionCap(AtomicInteger open, int max, long timeoutNanos, HttpApi api, ServerMetrics metrics) {
    this.open = open;
    this.max = max;
    this.timeoutNanos = timeoutNanos;
    this.api = api;
    this.metrics = metrics;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (open.incrementAndGet() > max) {
      over = true;
      metrics.connectionClosed(ServerMetrics.OVER_CAPACITY);
      ctx.executor().schedule(() -> {
        ctx.close();
      }, timeoutNanos, TimeUnit.NANOSECONDS);
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    open.decrementAndGet();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!over) {
      ctx.fireChannelRead(msg);
      return;
    }
    ReferenceCountUtil.release(msg);
    if (msg instanceof HttpRequest && !answered) {
      answered = true;
      HttpReply reply = api.error(null, 503, "overloaded", "the server has " + max + " connections open, its limit"
          + " (--max-connections); retry later", null, null);
      ctx.writeAndFlush(RequestHandler.response(reply, false, false)).addListener(ChannelFutureListener.CLOSE);
      metrics.request("http", "other", "server_error", 0);
    }
  }
}
