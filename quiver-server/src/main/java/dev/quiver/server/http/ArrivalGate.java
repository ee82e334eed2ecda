package dev.quiver.server.http;

import dev.quiver.server.ServerMetrics;
import dev.quiver.server.admission.LatencyLimit;
import dev.quiver.server.admission.QueueAdmission;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Refusal on arrival, decided on a request's head, ahead of the body's aggregation: when the queue
 * budget would refuse the request ({@link QueueAdmission#peek()}), or the adaptive latency limit has no
 * place for it ({@link LatencyLimit#acquire()}), it is answered at once with the constant 503 of {@link
 * OverloadReply} and its body, as it arrives, is released unread. So a refusal costs the network thread
 * the head's decoding and one pre-encoded answer: no aggregation, no query decoding, no JSON, no
 * formatting. A request the latency limit admits here hands its place to {@link RequestHandler}, so that
 * its latency counts from the arrival of its head.
 *
 * <p>Only a request the worker path would refuse the same way is refused here: the connection has
 * nothing in progress (answers stay in order), the head decoded, its URI has no escapes, its route
 * goes to the workers ({@link HttpApi#inline} ones do not), no {@code Content-Encoding} or {@code
 * Expect}, and a {@code Content-Length} within the body limit (no chunked body). Anything else
 * goes on to the aggregator and {@link RequestHandler}, which decides admission at the request's
 * turn as before. One per connection, touched on its event loop only.
 */
final class ArrivalGate extends ChannelInboundHandlerAdapter {
  private final HttpApi api;
  private final QueueAdmission admission;
  private final Refusals refusals;
  private final ServerMetrics metrics;
  private final RequestDeadline deadline;
  private final RequestHandler handler;
  private final int maxBodyBytes;
  private boolean discarding;

  ArrivalGate(HttpApi api, QueueAdmission admission, Refusals refusals, ServerMetrics metrics, RequestDeadline deadline,
      RequestHandler handler, int maxBodyBytes) {
    this.api = api;
    this.admission = admission;
    this.refusals = refusals;
    this.metrics = metrics;
    this.deadline = deadline;
    this.handler = handler;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (discarding && msg instanceof HttpContent) {
      ReferenceCountUtil.release(msg);
      if (msg instanceof LastHttpContent) {
        discarding = false;
        deadline.complete();
        handler.resume();
      }
      return;
    }
    if (msg instanceof HttpRequest request && handler.idle()) {
      boolean overBudget = admission.peek() == QueueAdmission.Verdict.OVER_BUDGET;
      if (overBudget || refusals.latency().enabled()) {
        String path = refusable(request);
        if (path != null) {
          if (overBudget) {
            refuse(ctx, msg, request, path, refusals.overBudget(), ServerMetrics.QUEUE_WAIT);
            return;
          }
          LatencyLimit.Permit permit = refusals.latency().acquire();
          if (permit == null) {
            refuse(ctx, msg, request, path, refusals.overLimit(), ServerMetrics.LATENCY_LIMIT);
            return;
          }
          handler.arrived(permit); // its latency counts from now
        }
      }
    }
    ctx.fireChannelRead(msg);
  }

  private void refuse(ChannelHandlerContext ctx, Object msg, HttpRequest request, String path, OverloadReply reply,
      String reason) {
    long started = System.nanoTime();
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    var future = ctx.writeAndFlush(reply.response(path, keepAlive, request.method().equals(HttpMethod.HEAD)));
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
    metrics.shed("http", reason);
    metrics.request("http", HttpApi.endpoint(path), "server_error", System.nanoTime() - started);
    if (msg instanceof LastHttpContent) { // a whole request in one message: nothing left to discard
      ReferenceCountUtil.release(msg);
      deadline.complete();
    } else {
      discarding = true;
      handler.hold(); // a slow body now closes the connection (its answer is sent), no 408 after the 503
    }
  }

  /** The request's path when {@link RequestHandler} would put it through admission unchanged; else null. */
  private String refusable(HttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      return null;
    }
    String uri = request.uri();
    if (uri.indexOf('%') >= 0 || uri.isEmpty() || uri.charAt(0) != '/') {
      return null; // escapes, or an absolute URI: QueryStringDecoder's answer, at the request's turn
    }
    int end = uri.length();
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    String path = uri.substring(0, end);
    if (api.inline(path) || HttpApi.exempt(path)) {
      return null;
    }
    HttpHeaders headers = request.headers();
    if (headers.contains(HttpHeaderNames.CONTENT_ENCODING) || headers.contains(HttpHeaderNames.EXPECT)
        || headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return null;
    }
    String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > maxBodyBytes) {
          return null;
        }
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return path;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    discarding = false;
    super.channelInactive(ctx);
  }
}
