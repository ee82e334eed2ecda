/**
 * The embedded default registry store: each registry version is one immutable JSON file in a
 * directory, opened through {@link dev.quiver.registry.file.FileRegistryProvider} ({@code
 * registry.type: file}).
 *
 * <p>Layout: {@code <path>/versions/<version, zero-padded to 10 digits>.json}, each file the
 * {@link dev.quiver.core.registry.RegistryCodec} bytes of one version, including its audit record
 * and content hash. The head is the highest version present. Saved training sets live beside them
 * as {@code <path>/datasets/<name>.json}, published the same way, and materialization watermarks as
 * {@code <path>/watermarks/<view>@v<N>.json}, replaced atomically under a file lock so that they
 * only move forward. API tokens are kept hashed as {@code <path>/tokens/<id>.json}, a revocation as
 * {@code <path>/tokens/<id>.revoked.json}, both published like versions.
 *
 * <p>A commit writes a temporary file next to the versions, forces it to disk, publishes it with a
 * hard link to the version's name (atomic, and refused when the name exists: that is how concurrent
 * writers, threads or processes, find out they lost), removes the temporary file and forces the
 * directory. A crash leaves the old head or the complete new version; leftover temporary files are
 * ignored and cleaned up after a minute. Reads verify each version's content hash, so a damaged
 * file is reported by version rather than served. The file system must support hard links (every
 * local Linux, macOS and Windows NTFS file system does).
 */
package dev.quiver.registry.file;
