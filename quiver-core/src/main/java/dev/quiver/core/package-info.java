/**
 * Quiver's core: the exception family and the types every module shares. Sub-packages hold the
 * definition model ({@code model}), the expression language ({@code expr}), the YAML loader
 * ({@code load}), validation ({@code validate}), plan diffs ({@code diff}) and the registry
 * ({@code registry}). This module depends on no engine, store or network library.
 */
package dev.quiver.core;
