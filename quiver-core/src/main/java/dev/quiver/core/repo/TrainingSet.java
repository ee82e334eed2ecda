package dev.quiver.core.repo;

import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.registry.DatasetRecord;
import java.nio.file.Path;

/**
 * A training set written to a file.
 *
 * @param dataset the saved record when the run was saved ({@code --save NAME}), else null
 */
public record TrainingSet(Path output, long rows, PointInTimePlan plan, DatasetRecord dataset) {}
