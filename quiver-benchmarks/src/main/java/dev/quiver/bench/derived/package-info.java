/**
 * JMH benchmarks of the derived-feature evaluator: what computing a service's derived and
 * on-demand features adds to one online request (see {@code docs/benchmarks.md}).
 */
package dev.quiver.bench.derived;
