package com.emitkit.events.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * The embedded workspace's tokens, made once and kept in its data folder (owner-only) so that
 * scripts pointed at it keep working across restarts. Every token has full access, as on Tinybird Local.
 */
public record LocalTokens(String userToken, String adminToken, String workspaceAdminToken) {

    private static final String FILE = "tokens.json";

    public static LocalTokens loadOrCreate(Path dataDir, ObjectMapper json) {
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                var node = json.readTree(file.toFile());
                return new LocalTokens(node.path("user_token").asText(), node.path("admin_token").asText(),
                        node.path("workspace_admin_token").asText());
            }
            LocalTokens tokens = new LocalTokens(newToken(), newToken(), newToken());
            Files.createDirectories(dataDir);
            Path temp = Files.createTempFile(dataDir, "tokens", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, json.writeValueAsString(tokens.asJson(json)));
            Files.move(temp, file);
            return tokens;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    /** What {@code GET /tokens} answers, like Tinybird Local. */
    public ObjectNode asJson(ObjectMapper json) {
        return json.createObjectNode().put("user_token", userToken).put("admin_token", adminToken)
                .put("workspace_admin_token", workspaceAdminToken);
    }

    /** Constant-time check, so timing does not reveal how much of a guess was right. */
    public boolean accepts(String candidate) {
        if (candidate == null || candidate.isEmpty()) {
            return false;
        }
        byte[] given = candidate.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (String token : List.of(userToken, adminToken, workspaceAdminToken)) {
            match |= MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
        }
        return match;
    }

    @Override
    public String toString() {
        return "LocalTokens[redacted]";
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return "p.local." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
