package com.emitkit.events.codec;

import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Request bodies as the Events API reads them: gzip (by header or magic bytes), decompressed under a cap.
 * Shared by the public API and the embedded Tinybird's API, so it depends on neither.
 */
public final class RequestBodies {

    /** A body over a size limit: HTTP 413, with the limit in the message. */
    public static final class TooLargeException extends RuntimeException {
        public TooLargeException(String message) {
            super(message);
        }
    }

    private RequestBodies() {
    }

    public static byte[] decoded(Buffer body, String contentEncoding, long maxDecompressed) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes();
        boolean gzipMagic = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
        if (!"gzip".equalsIgnoreCase(contentEncoding) && !gzipMagic) {
            return bytes;
        }
        // Read in chunks and stop at the cap: a few KB of gzip can expand to gigabytes.
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes), 1 << 16)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, bytes.length * 4));
            byte[] chunk = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(chunk)) > 0; ) {
                total += n;
                if (total > maxDecompressed) {
                    throw new TooLargeException("the decompressed body is larger than " + maxDecompressed + " bytes");
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not valid gzip: " + e.getMessage());
        }
    }
}
