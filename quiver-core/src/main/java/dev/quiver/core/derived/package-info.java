/**
 * Derived features and on-demand views evaluated the same way everywhere. {@link
 * dev.quiver.core.derived.DerivedFeatures} compiles every derived feature of a registry version
 * once (expressions parsed and type-checked, custom transforms loaded); a {@link
 * dev.quiver.core.derived.DerivedPlan} lays out, for one list of requested features, the base
 * features and request fields to read and the derived values to compute, in dependency order, over
 * one row array. The online reader fills the row from the online store and the request context, the
 * training-set stage from the engine's point-in-time rows and the query columns; both then call the
 * same {@link dev.quiver.core.derived.DerivedPlan#evaluate}.
 */
package dev.quiver.core.derived;
