package dev.quiver.core.repo;

import dev.quiver.core.registry.DatasetRecord;
import java.nio.file.Path;

/**
 * A saved training set computed again.
 *
 * @param identical true when the new file's bytes equal the saved ones (same fingerprint)
 */
public record Reproduction(DatasetRecord dataset, Path output, long rows, String fingerprint, boolean identical) {}
