/**
 * Data-quality validation (docs/validation.md): the one checking kernel ({@link
 * dev.quiver.core.quality.ViewRules}) every entry path uses — materialization, push, stream
 * ingestion, training sets — the results it produces ({@link dev.quiver.core.quality.RuleResult}),
 * the error a {@code fail} rule raises ({@link dev.quiver.core.quality.ValidationException}), the log
 * registry stores keep of them ({@link dev.quiver.core.quality.ValidationLog}) and the in-process
 * counters servers export ({@link dev.quiver.core.quality.ValidationCounters}).
 */
package dev.quiver.core.quality;
