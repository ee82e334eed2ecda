/**
 * The production online store: Redis, standalone or Redis Cluster, through Lettuce. The one public
 * type is {@link dev.quiver.online.redis.RedisOnlineStoreProvider} ({@code online.type: redis}),
 * found by {@link java.util.ServiceLoader}; the store behind it is package-private.
 *
 * <p><b>Key layout</b> (format 1): each row is a Redis string under
 * <code>&lt;key_prefix&gt;:&lt;table&gt;:&#123;&lt;hex entity key&gt;&#125;</code>, holding the
 * {@link dev.quiver.core.online.RowEncoding} bytes; the hex digits are those of the {@link
 * dev.quiver.core.online.KeyEncoding} key, lowercase. The braces are a Redis Cluster hash tag, so the
 * slot depends on the entity key alone. Created table names are kept in the set
 * <code>&lt;key_prefix&gt;:tables</code>.
 *
 * <p><b>Newest wins</b> inside Redis: a Lua script compares the 16 order-key bytes of the stored
 * and the new row (bytes 2 to 17, unsigned, byte by byte) and writes only a strictly newer row, so
 * concurrent writers, late backfills and replays are all safe. Compare-and-set (for tile rows) is a
 * second script that compares the stored string with the expected one whole and sets or deletes it,
 * atomic against every client of the server, in any process.
 *
 * <p><b>Threads and failures</b>: the store is thread-safe; every call blocks until Redis answers,
 * at most {@code command_timeout}, else throws a {@link dev.quiver.core.QuiverException} naming the
 * server. During an outage calls fail at once; Lettuce reconnects in the background and the same
 * store serves again once Redis is back.
 */
package dev.quiver.online.redis;
