/**
 * Who sends a request to {@code quiver serve}: an {@link dev.quiver.server.auth.Authenticator} turns
 * the {@code Authorization: Bearer ...} of an HTTP request or the {@code authorization} metadata of a
 * gRPC call into a {@link dev.quiver.core.security.Principal}, from an API token ({@link
 * dev.quiver.server.auth.ApiTokens}, kept hashed in the registry) or an OIDC JWT checked against a
 * JWKS, as quiver.yaml's {@code server:} section says ({@link dev.quiver.server.auth.AuthSettings}).
 * The implementations are package-private; docs/security.md, "Authentication", is the user's guide.
 */
package dev.quiver.server.auth;
