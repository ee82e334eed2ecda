package dev.quiver.server.flight;

/**
 * The Quiver dataset a Feast saved-dataset storage path names: its file name without {@code .parquet}
 * ({@code train.parquet}, {@code out/train.parquet}, {@code /abs/datasets/train.parquet} and {@code
 * train} all name {@code train}). Feast's {@code persist} sends that path (a {@code FileSource}'s name
 * defaults to its path), and Feast's registry then records the dataset under its own name: the two
 * meet when the storage is named after the dataset.
 */
public final class SavedDatasetNames {
  private SavedDatasetNames() {}

  /** The dataset name of a storage path (or of a plain name, itself). */
  public static String of(String storage) {
    String s = storage.strip();
    int slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
    String file = slash >= 0 ? s.substring(slash + 1) : s;
    return file.toLowerCase(java.util.Locale.ROOT).endsWith(".parquet") ? file.substring(0, file.length() - ".parquet".length()) : file;
  }
}
