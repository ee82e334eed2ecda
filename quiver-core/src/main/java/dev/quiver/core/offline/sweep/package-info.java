/**
 * The engine-neutral sweeps: the point-in-time semantics of DESIGN §3 as plain Java over sorted
 * rows, so that every offline engine computes them with the same code and only scans, partitions
 * and writes in its own way.
 *
 * <ul>
 *   <li>{@link dev.quiver.core.offline.sweep.PointInTimeRules}: the per-row rules, spelled once —
 *       the tie order, the TTL bound, keys compared by value (int32 = int64, bytes by content, null
 *       never matches).
 *   <li>{@link dev.quiver.core.offline.sweep.JoinSweep}: one view join's features (latest values
 *       within the TTL, window aggregates through {@link dev.quiver.core.aggregate.WindowSweep}) for
 *       one key's source rows and query times merged into one sorted stream — what a distributed
 *       engine runs per partition; {@link dev.quiver.core.offline.sweep.JoinSweep#run} walks many keys
 *       by key id on one machine (the DuckDB engine's window aggregates).
 *   <li>{@link dev.quiver.core.offline.sweep.KeyIds} and {@link
 *       dev.quiver.core.offline.sweep.JoinSlots}: the hash ASOF join of one machine — integer keys
 *       numbered densely, query rows as slots sorted by (key, t), source rows offered in any order.
 * </ul>
 */
package dev.quiver.core.offline.sweep;
