package dev.quiver.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The slow-client deadline of one connection: once a request's first byte arrives, its headers and
 * body must all arrive within the request timeout, else the connection gets a 408 and is closed (a
 * client sending one byte a second cannot hold a connection for ever). Armed by the bytes read,
 * disarmed by {@link #complete()} when the request is whole. Touched on the connection's event loop only.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {
  private final long timeoutNanos;
  private boolean reading;
  private ScheduledFuture<?> timer;

  RequestDeadline(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b && b.isReadable()) {
      reading = true;
    }
    ctx.fireChannelRead(msg); // a request that arrives whole calls complete() before this returns
    if (reading && timer == null && ctx.channel().isActive()) {
      timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** The request being read is whole (or was answered without its body): the deadline is off until the next byte. */
  void complete() {
    reading = false;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void expire(ChannelHandlerContext ctx) {
    timer = null;
    if (!reading) {
      return;
    }
    RequestHandler handler = ctx.pipeline().get(RequestHandler.class);
    if (handler != null) {
      handler.requestTimedOut(ctx.pipeline().context(handler));
    } else {
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    complete();
    super.channelInactive(ctx);
  }
}
