package dev.quiver.server.admission;

import java.time.Duration;

/**
 * Decides, on the network thread, whether a request may join a worker queue: refused at once when the
 * requests already queued would keep it waiting longer than the budget (their number × the recent
 * service time ÷ the workers; never while fewer than the workers are queued), or when the queue holds
 * its bound. A refused request costs the server
 * nothing but its answer, and the client hears at once instead of after a wait, so under overload
 * the admitted requests wait about the budget at most and the excess leaves no backlog.
 *
 * <p>Protocol: every request {@link Verdict#ADMITTED} is later either {@link #started} by a worker (which
 * then reports {@link #finished} with its service time) or {@link #abandoned} without running (refused
 * at its deadline, or the executor refused it). Thread-safe.
 */
public interface QueueAdmission {
  /** What {@link #admit} decided. */
  enum Verdict {
    /** Queue it: it counts as queued until {@link #started} or {@link #abandoned}. */
    ADMITTED,
    /** Refuse it: the requests ahead would keep it waiting past the budget. */
    OVER_BUDGET,
    /** Refuse it: the queue holds its bound. */
    FULL
  }

  /** Whether a request arriving now may be queued. */
  Verdict admit();

  /**
   * {@link #admit()} for a request the budget never refuses (a readiness probe, a metrics scrape: the
   * answers that matter most while the server is overloaded); refused only when the queue holds its bound.
   */
  Verdict admitExempt();

  /**
   * What {@link #admit()} would decide for a request arriving now, without counting it as queued: for a
   * front end that refuses early (on a request's head, before its body is read) and leaves the
   * admission proper to the request's turn.
   */
  Verdict peek();

  /** An admitted request was taken up by a worker. */
  void started();

  /** An admitted request left the queue without running. */
  void abandoned();

  /**
   * A request a worker ran took {@code serviceNanos} (from its start to its answer); a time over twice
   * the budget counts as twice the budget, so that one slow request does not refuse the next many.
   */
  void finished(long serviceNanos);

  /** Requests admitted and not yet started or abandoned. */
  int queued();

  /** How long a request arriving now would wait for a worker, by the estimate. */
  long estimatedWaitNanos();

  /** Why a request arriving now is refused, for the client: the queue, the estimate and the budget. */
  String refusal();

  /**
   * Why a request {@link Verdict#OVER_BUDGET} is refused, as one constant text naming the budget (no
   * numbers of the moment): what a refusal answers on the hot path, where formatting {@link #refusal()}
   * for every one of thousands of refusals a second would cost more than the refusal itself.
   */
  String overBudget();

  /**
   * Admission for a pool of {@code workers} threads.
   *
   * @param budget the longest estimated wait a request is admitted with
   * @param maxQueued the queue bound: past it every request is refused
   */
  static QueueAdmission of(int workers, Duration budget, int maxQueued) {
    return new WaitEstimate(workers, budget.toNanos(), maxQueued);
  }
}
