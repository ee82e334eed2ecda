package dev.quiver.core.model;

import java.util.Objects;

/** A value supplied with each request (online: {@code request_context}; offline: a query column). */
public record RequestField(String name, ValueType type) implements java.io.Serializable {
  public RequestField {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }
}
