package dev.quiver.server.http;

import dev.quiver.server.admission.LatencyLimit;
import dev.quiver.server.admission.QueueAdmission;

/**
 * What refuses a request on arrival, shared by a front end's connections: the queue budget's constant
 * answer, the adaptive latency limit and its constant answer ({@link OverloadReply}s).
 */
record Refusals(OverloadReply overBudget, LatencyLimit latency, OverloadReply overLimit) {
  /** The refusals of {@code admission}'s budget and of {@code latency}. */
  static Refusals of(HttpApi api, QueueAdmission admission, LatencyLimit latency) {
    OverloadReply overBudget = new OverloadReply(api, admission.overBudget());
    return new Refusals(overBudget, latency, latency.enabled() ? new OverloadReply(api, latency.refusal()) : overBudget);
  }
}
