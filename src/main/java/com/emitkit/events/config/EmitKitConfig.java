package com.emitkit.events.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** All of the service's own settings, under the {@code emitkit} prefix. */
@ConfigMapping(prefix = "emitkit")
public interface EmitKitConfig {

    Tinybird tinybird();

    Local local();

    Api api();

    Retention retention();

    Stream stream();

    DashboardTokens dashboardTokens();

    Outbox outbox();

    Deletions deletions();
    Webhooks webhooks();

    /**
     * {@code EMITKIT_SERVERLESS}: the process may be frozen right after each response (Knative scale to
     * zero, AWS Lambda): rows are sent at once instead of lingering for company. Every write is answered
     * only once it is safe in any mode; the outbox and the stream pollers keep nothing a freeze could lose.
     */
    @WithDefault("false")
    boolean serverless();

    /** Channel webhooks: how notify events are delivered, retried, and kept away from internal addresses. */
    interface Webhooks {
        /**
         * {@code EMITKIT_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES}: allow URLs resolving to loopback, private, link-local
         * or metadata addresses. For development and tests only.
         */
        @WithDefault("false")
        boolean allowPrivateAddresses();

        /** Upper bound on one delivery attempt, connection included. */
        @WithDefault("10s")
        Duration timeout();

        /** Attempts per delivery in all, the first included; with the backoff below they span about 16 hours. */
        @WithDefault("12")
        int maxAttempts();

        /** Wait after the first failed attempt; it doubles per attempt up to {@link #maxBackoff()}. */
        @WithDefault("1m")
        Duration initialBackoff();

        /** Longest wait between attempts, also for a receiver's Retry-After. */
        @WithDefault("4h")
        Duration maxBackoff();

        /** How often a replica looks for due deliveries (it also looks at once after recording new ones). */
        @WithDefault("1s")
        Duration pollInterval();

        /** Deliveries claimed per look, and attempts running at once per replica. */
        @WithDefault("200")
        int batch();

        /**
         * {@code EMITKIT_WEBHOOKS_YIELD_ABOVE_CPU}: while events are arriving and the CPU load (of the container, or
         * the machine) is at or above this share, new delivery attempts pause for 2 s, so that the write path keeps
         * its throughput; 1 turns it off.
         */
        @WithDefault("0.9")
        double yieldAboveCpu();

        /** When set, each notification links to the event at {@code <dashboard-url>/events/<id>}. */
        Optional<URI> dashboardUrl();
    }

    /**
     * Accepted rows that Tinybird did not take in time, kept in PostgreSQL and relayed by every replica,
     * one organization at a time each, in the order they were kept.
     */
    interface Outbox {
        /** How often a replica looks for kept rows. */
        @WithDefault("1s")
        Duration relayInterval();

        /** Rows per relayed Events API call. */
        @WithDefault("1000")
        int relayBatch();

        /**
         * A row whose earlier send may have landed (a timeout, a 5xx, a lost connection, a crash) is looked up
         * in Tinybird before it is sent again, but only once this long has passed since that send, so a
         * slow insert still running upstream is not missed.
         */
        @WithDefault("30s")
        Duration settle();
    }

    /**
     * Deletions of events (one event, a user's, a site's): recorded in PostgreSQL, then carried out in Tinybird
     * by a worker on every replica, each deletion by one replica at a time.
     */
    interface Deletions {
        /** How often a replica looks for deletions due. */
        @WithDefault("1s")
        Duration pollInterval();

        /**
         * How long after it was asked a deletion makes its last pass. Longer than a row can stay in a sender's
         * memory or in a relay's send (retries and timeouts included), so a row accepted before the deletion and
         * delivered late is deleted too, and nothing of it reappears.
         */
        @WithDefault("2m")
        Duration settle();

        /** How long a replica holds a deletion it carries out; another takes it over after a crash. */
        @WithDefault("10m")
        Duration lease();

        /** How often a running Tinybird delete job is polled. */
        @WithDefault("500ms")
        Duration jobPollInterval();

        /** Failed passes after which a deletion is marked failed (retried only when an operator asks). */
        @WithDefault("20")
        int maxAttempts();

        /** The first wait after a failed pass; it doubles per attempt up to {@link #maxBackoff()}. */
        @WithDefault("1s")
        Duration initialBackoff();

        @WithDefault("5m")
        Duration maxBackoff();

        /** How long a delete request waits for the first pass before answering 202 (it goes on in the background). */
        @WithDefault("10s")
        Duration answerWithin();

        /** How often a replica records the purges of sites deleted longer ago than their organization's window. */
        @WithDefault("1h")
        Duration purgeInterval();
    }

    /**
     * Short-lived JWTs the dashboard backend issues for reads: claims {@code org} (required), {@code site}
     * and {@code channels} (optional narrowing). Verified with an HS256 secret or RS256 keys from a JWKS URL.
     */
    interface DashboardTokens {
        /** HS256 shared secret (at least 32 bytes). */
        java.util.Optional<String> secret();

        /** RS256: where the public keys are published (JWKS). */
        java.util.Optional<String> jwksUrl();

        /** Required {@code iss}, when set. */
        java.util.Optional<String> issuer();

        /** Longest accepted lifetime ({@code exp} minus {@code iat}): dashboard tokens are short-lived. */
        @WithDefault("1h")
        Duration maxLifetime();

        /** Required {@code aud} (one of the token's audiences), when set. */
        java.util.Optional<String> audience();

        /**
         * How far the issuer's clock may run ahead of ours: an {@code iat} or {@code nbf} later than this is refused
         * (a token issued in the future would otherwise outlive its lifetime), and {@code exp} is honoured this late.
         */
        @WithDefault("60s")
        Duration clockSkew();
    }

    /** The live stream: one poll of {@code stream_events} per channel and interval, shared by its subscribers. */
    interface Stream {
        @WithDefault("3s")
        Duration pollInterval();

        /** Each poll looks this far behind its cursor, so an event stamped earlier but stored later is not missed. */
        @WithDefault("10s")
        Duration lateArrival();

        /** Recent events kept per channel, for resuming with Last-Event-ID. */
        @WithDefault("1000")
        int replayEvents();

        /** A comment line this often keeps proxies from closing an idle stream. */
        @WithDefault("15s")
        Duration heartbeat();
    }

    /**
     * How long events stay visible, by the tier stored on each event. Unlimited has no window. The
     * pipes apply Tinybird-side windows of their own (90 and 365 days): these can only narrow them.
     */
    interface Retention {
        @WithDefault("90d")
        Duration basic();

        @WithDefault("365d")
        Duration premium();
    }

    /** The public API (what the SDKs call). */
    interface Api {
        /**
         * Largest request body after gzip decompression (the wire limit is quarkus.http.limits.max-body-size):
         * the next contract's 1 MiB holds for what the body says, not only for what it weighs on the wire.
         */
        @WithDefault("1M")
        MemorySize maxDecompressedBodySize();

        /** Most events in one {@code POST /v1/events/batch}. */
        @WithDefault("1000")
        int maxBatchEvents();

        /** {@code Authorization: Bearer} token of the admin API; the admin API is off while it is unset. */
        java.util.Optional<String> adminToken();

        RateLimit rateLimit();
    }

    /**
     * Requests per API key and window, by the organization's tier. Counted per replica: with N replicas
     * behind a balancer a key gets up to N times the limit.
     */
    interface RateLimit {
        @WithDefault("1m")
        Duration window();

        @WithDefault("600")
        long basic();

        @WithDefault("3000")
        long premium();

        @WithDefault("6000")
        long unlimited();
    }

    interface Tinybird {
        /** Which Tinybird to talk to; see {@link TinybirdMode}. */
        @WithDefault("auto")
        TinybirdMode mode();

        /** {@code TINYBIRD_TOKEN}: a workspace token. Never logged. */
        Optional<String> token();

        /** {@code TINYBIRD_API_URL}: the workspace's region host. */
        @WithDefault("https://api.tinybird.co")
        URI apiUrl();

        /** Upper bound on one HTTP call to Tinybird. */
        @WithDefault("10s")
        Duration timeout();

        Batch batch();

        Retry retry();

        CircuitBreaker circuitBreaker();
    }

    /**
     * Opens after {@code failure-ratio} of the last {@code request-volume} calls failed (unreachable, timeout,
     * 5xx); while open, writes go to the outbox and reads answer 503 at once; after {@code delay} one trial
     * call decides whether it closes.
     */
    interface CircuitBreaker {
        @WithDefault("10")
        int requestVolume();

        @WithDefault("0.5")
        double failureRatio();

        @WithDefault("5s")
        Duration delay();
    }

    /** Micro-batching of rows sent to the Events API: few, large inserts instead of many tiny ones. */
    interface Batch {
        /**
         * A batch is sent as soon as it holds this many rows. Every insert has a fixed cost (on the embedded
         * engine about 20 ms, materializations included), so under load fewer, larger calls store more.
         */
        @WithDefault("10000")
        int maxRows();

        /** ... or this many bytes of NDJSON (before gzip). */
        @WithDefault("4M")
        MemorySize maxBytes();

        /** ... or this long after its first row arrived, once fewer than {@link #maxInFlight()} calls are running. */
        @WithDefault("10ms")
        Duration linger();

        /**
         * Events API calls running at once per datasource; meanwhile the next batch keeps filling, so
         * batches grow with load (Tinybird, and ClickHouse under it, prefer few large inserts). Two keep a
         * replica under Tinybird's documented 100 calls/s per datasource at a 30 ms answer (at most about
         * 67 calls/s), and halve the wait for a free call slot that one gave (the one-event write path went from
         * 5,001 to 8,165 req/s against a 30 ms stub, docs/benchmarks.md).
         */
        @WithDefault("2")
        int maxInFlight();

        /**
         * Rows accepted and not yet safe (batched, in flight, retried) beyond which writes are refused with
         * a 503 and Retry-After: memory stays bounded under overload.
         */
        @WithDefault("50000")
        int maxPendingRows();
    }

    /** How a failed Events API call is retried (429 after Retry-After; 5xx and connection errors with backoff). */
    interface Retry {
        /** Attempts per batch in all, the first included. */
        @WithDefault("6")
        int maxAttempts();

        /** First backoff; it doubles per attempt, with full jitter, up to {@link #maxBackoff()}. */
        @WithDefault("200ms")
        Duration initialBackoff();

        @WithDefault("3s")
        Duration maxBackoff();

        /** A Retry-After longer than this is not waited for: the batch goes to the outbox instead. */
        @WithDefault("30s")
        Duration maxRetryAfter();
    }

    /** The embedded, Tinybird-compatible engine (chDB). */
    interface Local {
        /** Loopback address the embedded API listens on. */
        @WithDefault("127.0.0.1")
        String host();

        /** Port of the embedded API; 7181 like Tinybird Local, 0 for any free port. */
        @WithDefault("7181")
        int port();

        /** Where the embedded engine keeps its data; survives restarts. */
        @WithDefault("emitkit-data")
        Path dataDir();

        /** The Tinybird project (datasources, endpoints, materializations) to load. */
        @WithDefault("tinybird")
        Path projectDir();

        /** {@code EMITKIT_CHDB_LIB}: an existing libchdb.so to use instead of the cached download. */
        Optional<Path> chdbLib();

        /** Where the downloaded chDB library is cached, one folder per version. */
        @WithDefault("${user.home}/.cache/emitkit/chdb")
        Path cacheDir();

        /**
         * When a datasource's definition changed since its local table was created: drop and recreate
         * the table (losing its local rows) instead of refusing to start.
         */
        @WithDefault("false")
        boolean recreateChangedDatasources();

        /** Largest request body accepted on the wire (Tinybird's free-plan limit by default). */
        @WithDefault("10M")
        MemorySize maxBodySize();

        /** Largest body after gzip decompression: a small gzip body can expand a thousandfold. */
        @WithDefault("100M")
        MemorySize maxDecompressedSize();
    }
}
