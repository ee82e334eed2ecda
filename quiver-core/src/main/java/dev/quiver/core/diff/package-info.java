/**
 * What {@code quiver plan} shows: the field-by-field difference between the registry's head and the
 * definitions about to be applied, which changes are breaking (they change what an existing online
 * feature means) and which feature services consume them, and which superseded view versions the
 * registry keeps.
 */
package dev.quiver.core.diff;
