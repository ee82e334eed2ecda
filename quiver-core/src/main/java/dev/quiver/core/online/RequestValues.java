package dev.quiver.core.online;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import java.util.ArrayList;
import java.util.List;

/** Request-context values as requests give them, parsed to request-field types by {@link StrictValues}. */
final class RequestValues {
  private RequestValues() {}

  /** The value as its field type's Java class; null stays null; a misfit is the caller's error. */
  static Object coerce(RequestField field, String view, Object v) {
    if (v == null) {
      return null;
    }
    if (field.type() instanceof ListType l) {
      if (!(v instanceof List<?> items)) {
        throw mismatch(field, view, v);
      }
      List<Object> out = new ArrayList<>(items.size());
      for (Object item : items) {
        out.add(item == null ? null : scalar(field, view, l.element(), item));
      }
      return java.util.Collections.unmodifiableList(out);
    }
    return scalar(field, view, (ScalarType) field.type(), v);
  }

  private static Object scalar(RequestField field, String view, ScalarType t, Object v) {
    try {
      return StrictValues.parse(t, v);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("request field '" + field.name() + "' (of on-demand view " + view + ") is "
          + field.type().spelling() + ", but got " + StrictValues.describe(v) + "; expected " + e.getMessage());
    }
  }

  private static InvalidRequestException mismatch(RequestField field, String view, Object v) {
    return new InvalidRequestException("request field '" + field.name() + "' (of on-demand view " + view + ") is "
        + field.type().spelling() + ", but got " + StrictValues.describe(v));
  }
}
