package com.emitkit.events.security;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Organizations;
import com.emitkit.events.web.ApiException;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/** Verifies a dashboard token (JWT) and turns its claims into a read-only {@link Caller}. */
@ApplicationScoped
public class DashboardTokenVerifier {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DashboardTokenVerifier.class);

    private final JWTParser parser;
    private final EmitKitConfig.DashboardTokens config;
    private final Organizations organizations;
    /** How tokens are checked: HS256 with the shared secret, else RS256 with the JWKS keys. */
    private final Optional<JWTAuthContextInfo> verification;

    DashboardTokenVerifier(JWTParser parser, EmitKitConfig config, Organizations organizations) {
        this.parser = parser;
        this.config = config.dashboardTokens();
        this.organizations = organizations;
        Optional<String> secret = this.config.secret().filter(s -> !s.isBlank());
        if (secret.isPresent()) {
            JWTAuthContextInfo info = new JWTAuthContextInfo();
            info.setSecretVerificationKey(new SecretKeySpec(secret.get().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.HS256));
            this.verification = Optional.of(withClaimRules(info));
        } else {
            this.verification = this.config.jwksUrl().filter(u -> !u.isBlank()).map(url -> {
                JWTAuthContextInfo info = new JWTAuthContextInfo(url, null);
                info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256));
                return withClaimRules(info);
            });
        }
    }

    /** Our claims, not MicroProfile JWT's: no {@code sub} or {@code upn} is needed, and the audience is ours to set. */
    private JWTAuthContextInfo withClaimRules(JWTAuthContextInfo info) {
        info.setRequireNamedPrincipal(false);
        info.setClockSkew((int) config.clockSkew().toSeconds());
        config.audience().filter(a -> !a.isBlank()).ifPresent(audience -> info.setExpectedAudience(Set.of(audience)));
        return info;
    }

    public boolean enabled() {
        return verification.isPresent();
    }

    /** The caller the token speaks for; 401 when it is not a valid, current, short-lived token of ours. */
    public Uni<Caller> verify(String token) {
        // Fetching JWKS keys can block: verify off the event loop.
        return Uni.createFrom().item(() -> parse(token)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(jwt -> {
                    String organizationId = stringClaim(jwt, "org").filter(o -> !o.isBlank())
                            .orElseThrow(() -> new ApiException(401, "Invalid dashboard token: no org claim"));
                    String siteId = stringClaim(jwt, "site").orElse(null);
                    Set<String> channels = channels(jwt);
                    return organizations.get(organizationId)
                            .onFailure().transform(e -> new ApiException(401, "Invalid dashboard token: unknown organization"))
                            .map(org -> new Caller(Caller.DASHBOARD_TOKEN + organizationId + ":" + Optional.ofNullable(jwt.getSubject()).orElse(""), organizationId,
                                    siteId, org.tier(), org.widestTier(), Set.of(Caller.READ), channels,
                                    java.time.Instant.ofEpochSecond(jwt.getExpirationTime())));
                });
    }

    private JsonWebToken parse(String token) {
        try {
            JsonWebToken jwt = parser.parse(token, verification.orElseThrow());
            config.issuer().filter(i -> !i.equals(jwt.getIssuer())).ifPresent(i -> {
                throw new ApiException(401, "Invalid dashboard token: wrong issuer");
            });
            long lifetime = jwt.getExpirationTime() - jwt.getIssuedAtTime();
            if (jwt.getIssuedAtTime() <= 0 || lifetime > config.maxLifetime().toSeconds()) {
                throw new ApiException(401, "Invalid dashboard token: it must carry iat and live at most "
                        + config.maxLifetime().toMinutes() + " minutes");
            }
            // The parser refuses an nbf in the future, not an iat.
            if (jwt.getIssuedAtTime() > java.time.Instant.now().getEpochSecond() + config.clockSkew().toSeconds()) {
                throw new ApiException(401, "Invalid dashboard token: issued in the future");
            }
            return jwt;
        } catch (ParseException e) {
            LOG.debugf("Dashboard token refused: %s", e.getMessage());
            throw new ApiException(401, "Invalid dashboard token");
        }
    }

    /**
     * A claim that must be a string when present. A token that has it as a number, object or array is
     * malformed: refused as any bad token is, never a failure of ours.
     */
    private static Optional<String> stringClaim(JsonWebToken jwt, String name) {
        Object claim = jwt.getClaim(name);
        return switch (claim) {
            case null -> Optional.empty();
            case String text -> Optional.of(text);
            case JsonString text -> Optional.of(text.getString());
            default -> throw new ApiException(401, "Invalid dashboard token: the " + name + " claim must be a string");
        };
    }

    /**
     * The {@code channels} claim, a JSON array of names; null (every channel) when absent. Any other shape
     * is refused rather than read as "every channel", which would widen what the token was meant to narrow.
     */
    private static Set<String> channels(JsonWebToken jwt) {
        Object claim = jwt.getClaim("channels");
        if (claim == null) {
            return null;
        }
        if (!(claim instanceof Collection<?> values)) {
            throw new ApiException(401, "Invalid dashboard token: the channels claim must be an array of names");
        }
        Set<String> names = new LinkedHashSet<>();
        for (Object value : values) {
            names.add(switch (value) {
                case JsonString name -> name.getString();
                case String name -> name;
                case null, default -> throw new ApiException(401, "Invalid dashboard token: the channels claim must be an array of names");
            });
        }
        return names;
    }
}
