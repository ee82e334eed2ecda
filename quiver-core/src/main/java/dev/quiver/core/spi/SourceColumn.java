package dev.quiver.core.spi;

import dev.quiver.core.model.ValueType;
import java.util.Objects;

/**
 * One column of a source's actual files.
 *
 * @param type the Quiver type, or null when the file's type has no Quiver equivalent
 * @param nativeType the type as the file or engine spells it (e.g. {@code DECIMAL(18,3)}), for messages
 */
public record SourceColumn(String name, ValueType type, String nativeType) {
  public SourceColumn {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(nativeType, "nativeType");
  }
}
