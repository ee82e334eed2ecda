package dev.quiver.bench.serve;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one {@link LoadGenerator} run measured, over the recorded (post-warm-up) requests.
 *
 * @param rate the target rate, requests/s (0: closed loop)
 * @param connections keep-alive connections
 * @param sent requests sent, warm-up included
 * @param ok recorded requests answered 2xx
 * @param nonOk recorded requests answered otherwise, by status
 * @param timeouts recorded requests unanswered within the timeout (or at the hard stop)
 * @param connectionErrors connections that broke with a request in flight or could not be reopened
 * @param unsent recorded requests that were due but never sent before the hard stop
 * @param seconds the measured window: from the end of the warm-up to the last recorded response
 * @param latency nanoseconds from each recorded request's intended time to its response (open model),
 *     or from its send (closed loop); timeouts and unsent requests at their lower bound
 * @param service nanoseconds from send to response, answered requests only
 * @param clientCpuSeconds CPU time of this JVM during the run (the load generator's cost)
 * @param admitted latency of the recorded requests answered 2xx only (what an overloaded server admitted)
 * @param refused latency of the recorded requests answered otherwise (e.g. 503: how fast the excess is refused)
 * @param timeline every answered request's intended time, latency and status, when asked for
 *     ({@link LoadGenerator#timeline}); otherwise empty
 * @param sendSeconds from the schedule's start to the last send, warm-up included (open model: about warm-up +
 *     duration when the generator kept up, longer when it sent late)
 */
public record LoadResult(double rate, int connections, long sent, long ok, Map<Integer, Long> nonOk, long timeouts,
    long connectionErrors, long unsent, double seconds, Histogram latency, Histogram service, double clientCpuSeconds,
    Histogram admitted, Histogram refused, List<Sample> timeline, double sendSeconds) {

  /** One answered request: intended time (nanoTime), latency (ns), HTTP status (0: timed out). */
  public record Sample(long intended, long latencyNanos, int status) {}

  static LoadResult merge(LoadGenerator.Settings s, List<LoadPartition> parts, double cpuSeconds) {
    Histogram latency = new Histogram(parts.getFirst().latency.getHighestTrackableValue(), 3);
    Histogram service = new Histogram(parts.getFirst().service.getHighestTrackableValue(), 3);
    Histogram admitted = new Histogram(parts.getFirst().admitted.getHighestTrackableValue(), 3);
    Histogram refused = new Histogram(parts.getFirst().refused.getHighestTrackableValue(), 3);
    List<Sample> timeline = new java.util.ArrayList<>();
    Map<Integer, Long> nonOk = new TreeMap<>();
    long sent = 0;
    long ok = 0;
    long timeouts = 0;
    long errors = 0;
    long unsent = 0;
    double seconds = 0;
    double sendSeconds = 0;
    for (LoadPartition p : parts) {
      sendSeconds = Math.max(sendSeconds, p.sendSeconds());
      latency.add(p.latency);
      service.add(p.service);
      admitted.add(p.admitted);
      refused.add(p.refused);
      if (p.timeline != null) {
        for (int i = 0; i < p.timeline.size; i++) {
          timeline.add(new Sample(p.timeline.intended[i], p.timeline.latency[i], p.timeline.status[i]));
        }
      }
      p.nonOk.forEach((k, v) -> nonOk.merge(k, v, Long::sum));
      sent += p.sent;
      ok += p.ok;
      timeouts += p.timeouts;
      errors += p.connectionErrors;
      unsent += p.unsent;
      seconds = Math.max(seconds, p.measuredSeconds());
    }
    return new LoadResult(s.rate(), s.connections(), sent, ok, Map.copyOf(nonOk), timeouts, errors, unsent, seconds,
        latency, service, cpuSeconds, admitted, refused, timeline.stream()
        .sorted(java.util.Comparator.comparingLong(Sample::intended)).toList(), sendSeconds);
  }

  /** Recorded requests answered (any status) per second of the measured window. */
  public double achievedRate() {
    return (ok + nonOk.values().stream().mapToLong(Long::longValue).sum()) / seconds;
  }

  /**
   * The rate this generator really offered, requests/s: every send, warm-up included, over the schedule's span (warm-up
   * + duration) or over the time it took to send them when that was longer (it fell behind); requests never sent count
   * as not offered. 0 for a closed loop.
   */
  public double offeredRate(double scheduleSeconds) {
    return rate == 0 ? 0 : sent / Math.max(scheduleSeconds, sendSeconds);
  }

  /** Whether the offer reached {@code share} (e.g. 0.95) of the target rate: below it, the run measured the generator. */
  public boolean offerHeld(double scheduleSeconds, double share) {
    return rate == 0 || offeredRate(scheduleSeconds) >= share * rate;
  }

  /**
   * What the generator really offered against the rate asked, and its own CPU, on one line ending in {@code VALID offer}
   * or, under 95% of the rate, {@code INVALID offer}: such a run measured the generator, not the server
   * (overload-summary.py leaves it out of the table).
   */
  public String offerLine(double scheduleSeconds) {
    double offered = offeredRate(scheduleSeconds);
    double span = Math.max(scheduleSeconds, sendSeconds);
    return String.format("offer: %,d sent in %.2f s (schedule %.2f s): %,.0f/s of the %,.0f/s asked (%.1f%%); load"
            + " generator CPU %.2f cores; %s", sent, span, scheduleSeconds, offered, rate, 100 * offered / rate,
        clientCpuSeconds / span, offerHeld(scheduleSeconds, 0.95) ? "VALID offer"
            : "INVALID offer (under 95% of the rate asked: this run measured the load generator)");
  }

  /** Every recorded request was answered 2xx in time. */
  public boolean clean() {
    return nonOk.isEmpty() && timeouts == 0 && unsent == 0 && connectionErrors == 0;
  }

  /** Latency at a percentile, milliseconds. */
  public double ms(double percentile) {
    return latency.getValueAtPercentile(percentile) / 1e6;
  }

  /** Latency of the 2xx answers alone at a percentile, milliseconds (NaN when there were none). */
  public double admittedMs(double percentile) {
    return admitted.getTotalCount() == 0 ? Double.NaN : admitted.getValueAtPercentile(percentile) / 1e6;
  }

  /** Latency of the non-2xx answers alone at a percentile, milliseconds (NaN when there were none). */
  public double refusedMs(double percentile) {
    return refused.getTotalCount() == 0 ? Double.NaN : refused.getValueAtPercentile(percentile) / 1e6;
  }

  public double maxMs() {
    return latency.getMaxValue() / 1e6;
  }

  /** One line: rate, achieved rate, percentiles, errors, service time, client CPU. */
  public String line() {
    String target = rate == 0 ? "closed loop" : String.format("%,.0f req/s", rate);
    return String.format("%-12s %3d conns: achieved %,8.0f req/s; latency p50 %7.3f  p90 %7.3f  p99 %7.3f  p99.9 %7.3f"
            + "  max %8.3f ms; service p50 %.3f p99 %.3f ms; ok %,d%s; client CPU %.2f cores",
        target, connections, achievedRate(), ms(50), ms(90), ms(99), ms(99.9), maxMs(),
        service.getValueAtPercentile(50) / 1e6, service.getValueAtPercentile(99) / 1e6, ok, problems(),
        clientCpuSeconds / seconds);
  }

  private String problems() {
    if (clean()) {
      return "";
    }
    return String.format(", non-2xx %s (their p50 %.3f p99 %.3f ms; 2xx alone p50 %.3f p99 %.3f ms), timeouts %,d, unsent %,d, connection errors %,d", nonOk, refusedMs(50),
        refusedMs(99), admittedMs(50), admittedMs(99), timeouts, unsent,
        connectionErrors);
  }
}
