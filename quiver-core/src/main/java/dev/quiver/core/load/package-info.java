/**
 * Reading a feature repo from disk: {@code quiver.yaml} ({@link dev.quiver.core.load.RepoConfig}) and
 * the YAML definition files, into {@link dev.quiver.core.model.Definitions} plus the file and line of
 * every element ({@link dev.quiver.core.load.Origins}) so that later checks can say where a problem is.
 */
package dev.quiver.core.load;
