/**
 * The definition model: immutable records for entities, sources, feature views and their features,
 * on-demand views and feature services, and {@link dev.quiver.core.model.Definitions}, the whole of a
 * project. Sealed interfaces close the sets of kinds ({@link dev.quiver.core.model.Feature},
 * {@link dev.quiver.core.model.Source}, {@link dev.quiver.core.model.ValueType},
 * {@link dev.quiver.core.model.Window}); code switches over them with patterns.
 *
 * <p>These records carry no file positions; the loader keeps those beside them so that definitions
 * built in Java ({@link dev.quiver.core.model.ViewBuilder}, {@link
 * dev.quiver.core.model.Definitions#builder}) equal the ones read from YAML.
 */
package dev.quiver.core.model;
