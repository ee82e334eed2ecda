/**
 * Who is calling and what they may do (DESIGN §6): the {@link dev.quiver.core.security.Principal} a
 * server or the CLI acts for, the {@link dev.quiver.core.security.Action}s on a
 * {@link dev.quiver.core.security.Resource}, the {@link dev.quiver.core.security.Authorizer} that
 * decides, and the records a registry store keeps for security: hashed API tokens
 * ({@link dev.quiver.core.security.TokenStore}) and the append-only audit log
 * ({@link dev.quiver.core.security.AuditLog}).
 */
package dev.quiver.core.security;
