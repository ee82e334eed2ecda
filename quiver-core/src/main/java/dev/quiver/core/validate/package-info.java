/**
 * Validation of definitions against each other and against the data: references, names, types
 * (inferred from the sources' actual files), windows, expressions and cycles. The result is the
 * fully typed definitions the registry records; every problem carries file, line and a fix.
 */
package dev.quiver.core.validate;
