package dev.quiver.core.aggregate;

import dev.quiver.core.QuiverException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * The start of an encoded tile row ({@link EntityTiles#encode()}, docs/online-encoding.md "Tile
 * row"): its format, its families' input types ({@link TileLayout#signature()}) and, from format 2
 * on, its families' {@link TileLayout#fingerprint() fingerprint}. It says which layout a row was
 * written with before anything else of it is decoded, so a reader or a writer can pick the layout
 * (the view's, or the one its rows were last materialized with) that decodes the row exactly.
 *
 * <p>Format 1 rows (written before the fingerprint existed) record the input types only: a layout
 * with the same types but other families fits them too, so callers that know of an earlier layout
 * try it first for such rows. Immutable.
 *
 * @param format 1 to {@link EntityTiles#FORMAT} (3: the row also records what it took, see {@link EntityTiles#appliedOffset})
 * @param fingerprint the families' fingerprint; empty for a format 1 row
 */
public record TileRowHeader(int format, String signature, OptionalLong fingerprint) {

  /**
   * Reads the header of a row.
   *
   * @throws QuiverException when the row has a format this Quiver does not read, or ends early
   */
  public static TileRowHeader of(byte[] row) {
    return read(new StateCodec.Source(row));
  }

  /** Reads the header from the start of {@code in}, leaving it just after. */
  static TileRowHeader read(StateCodec.Source in) {
    int format = in.u8();
    if (format < 1 || format > EntityTiles.FORMAT) {
      throw new QuiverException("an online tile row has format " + format + ", but this Quiver reads formats 1 to "
          + EntityTiles.FORMAT + "; materialize the view again");
    }
    String signature = new String(in.bytes(), StandardCharsets.UTF_8);
    return new TileRowHeader(format, signature, format >= 2 ? OptionalLong.of(in.be64()) : OptionalLong.empty());
  }

  /**
   * True when the row decodes with {@code layout}: the same input types and (format 2) the same
   * families, or those of its {@link TileLayout#unshared()} layout. A format 1 row fits every layout
   * with its input types.
   */
  public boolean fits(TileLayout layout) {
    return writtenWith(layout) != null;
  }

  /**
   * The layout the row decodes with: {@code layout}, or its {@link TileLayout#unshared()} for a row
   * written before sum/avg and variance/stddev shared families; null when neither fits.
   */
  TileLayout writtenWith(TileLayout layout) {
    if (names(layout)) {
      return layout;
    }
    TileLayout unshared = layout.unshared();
    return unshared != null && names(unshared) ? unshared : null;
  }

  private boolean names(TileLayout layout) {
    return signature.equals(layout.signature())
        && (fingerprint.isEmpty() || fingerprint.getAsLong() == layout.fingerprint());
  }

  /** True when the row names its families exactly (format 2 and later). */
  public boolean exact() {
    return fingerprint.isPresent();
  }

  /** Why the row does not fit {@code layout} (see {@link #fits}), ending with what to do. */
  public String misfit(TileLayout layout) {
    if (!signature.equals(layout.signature())) {
      return "the online tiles of " + layout.view() + " were written for input types " + signature
          + ", but the source's columns now have types " + layout.signature() + "; materialize the view again";
    }
    return "the online tiles of " + layout.view() + " were written for other window aggregates than the view has now"
        + " (their families differ); materialize the view again";
  }
}
