package dev.quiver.core.model;

import java.util.Objects;

/**
 * Where an Avro stream source finds the schema its record values were written with: a schema
 * registry (values in the Confluent wire format, the writer schema fetched by id) or one fixed schema
 * (values are plain Avro binary). Exactly one of {@code schemaRegistry} and {@code schema} is set.
 *
 * @param schemaRegistry the registry's base URL ({@code http(s)://host:port[/path]}, no user info), or
 *     null for a fixed schema
 * @param username the registry's basic-auth user, or null for none; only with a registry
 * @param password where the basic-auth password comes from: a reference, {@code ${ENV_VAR}} or
 *     {@code ${file:PATH}}, resolved when a consumer starts, never the secret itself; null exactly
 *     when {@code username} is
 * @param schema the Avro schema (JSON text), or a path to an {@code .avsc} file relative to the
 *     feature repo, read when a consumer starts; null with a registry
 */
public record AvroSettings(String schemaRegistry, String username, String password, String schema) {
  public AvroSettings {
    if ((schemaRegistry == null) == (schema == null)) {
      throw new IllegalArgumentException("an Avro stream source takes a schema registry or a schema, exactly one");
    }
    if ((username == null) != (password == null)) {
      throw new IllegalArgumentException("schema registry credentials need both a username and a password");
    }
    if (username != null && schemaRegistry == null) {
      throw new IllegalArgumentException("schema registry credentials need a schema registry");
    }
    if (password != null && !isSecretReference(password)) {
      throw new IllegalArgumentException("a schema registry password is a reference (${ENV_VAR} or ${file:PATH})");
    }
  }

  /** Values in the Confluent wire format, writer schemas from {@link #schemaRegistry}. */
  public static AvroSettings registry(String url) {
    return new AvroSettings(Objects.requireNonNull(url, "url"), null, null, null);
  }

  /** Plain Avro binary values written with one schema (JSON text or an {@code .avsc} path). */
  public static AvroSettings fixed(String schema) {
    return new AvroSettings(null, null, null, Objects.requireNonNull(schema, "schema"));
  }

  /** Whether writer schemas come from a registry (else {@link #schema} is the only one). */
  public boolean usesRegistry() {
    return schemaRegistry != null;
  }

  /** Whether {@link #schema} is the schema's JSON text rather than a file path. */
  public boolean inlineSchema() {
    return schema != null && schema.strip().startsWith("{");
  }

  /** {@code ${NAME}} or {@code ${file:PATH}}: where a secret is read from, not the secret. */
  public static boolean isSecretReference(String s) {
    return s != null && s.startsWith("${") && s.endsWith("}") && s.length() > 3 && s.indexOf('}') == s.length() - 1;
  }

  @Override
  public String toString() {
    return "AvroSettings[schemaRegistry=" + schemaRegistry + ", username=" + username + ", password="
        + password + ", schema=" + (schema == null ? null : inlineSchema() ? "(inline)" : schema) + "]";
  }
}
