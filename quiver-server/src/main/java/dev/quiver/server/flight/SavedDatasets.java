package dev.quiver.server.flight;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.registry.DatasetRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How Feast's saved-dataset storage names a Quiver saved dataset. Feast's {@code
 * SavedDatasetFileStorage(path=P)} becomes a {@code FileSource} whose name defaults to {@code P}: {@code
 * persist} sends that name, and {@code get_saved_dataset(...).to_df()} sends the storage path the
 * registry gave (the dataset's absolute output path), which may also be found by the path it was written to.
 */
final class SavedDatasets {
  private SavedDatasets() {}

  /** The Quiver dataset name a Feast storage (data source) name stands for ({@link SavedDatasetNames}). */
  static String name(String storage) {
    return SavedDatasetNames.of(storage);
  }

  /**
   * The saved dataset a Feast data source name refers to: the one written to that path (absolute, or
   * relative to the repo), else the one of that name.
   *
   * @return empty when the name refers to no saved dataset
   */
  static Optional<DatasetRecord> find(List<DatasetRecord> datasets, String storage, Path root) {
    Path asked = root.resolve(storage.strip()).toAbsolutePath().normalize();
    for (DatasetRecord d : datasets) {
      if (root.resolve(d.output()).toAbsolutePath().normalize().equals(asked)) {
        return Optional.of(d);
      }
    }
    String name = name(storage);
    return datasets.stream().filter(d -> d.name().equals(name)).findFirst();
  }

  /** As {@link #find}, or a {@link NotFoundException} naming the datasets there are. */
  static DatasetRecord get(List<DatasetRecord> datasets, String storage, Path root) {
    return find(datasets, storage, root).orElseThrow(() -> new NotFoundException("no saved dataset is stored at or named '"
        + storage + "' (saved datasets: " + (datasets.isEmpty() ? "none" : String.join(", ", datasets.stream()
            .map(DatasetRecord::name).toList())) + "); list them with store.list_saved_datasets() or quiver datasets list"));
  }
}
