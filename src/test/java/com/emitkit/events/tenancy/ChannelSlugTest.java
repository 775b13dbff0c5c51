package com.emitkit.events.tenancy;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChannelSlugTest {

    @Test
    void lowerCaseWordsJoinedByDashes() {
        assertEquals("payments", Channels.slug("Payments"));
        assertEquals("new-signups", Channels.slug("  New \t\n Signups \f"));
        assertEquals("straße-ünïcödé", Channels.slug("STRAßE ÜNÏCÖDÉ"));
        assertEquals("💸-in", Channels.slug("💸\u000BIn"));
        assertEquals("", Channels.slug(" \t "));
        // Only ASCII whitespace separates words, as in the V5 migration's SQL: a no-break space is a character.
        assertEquals("a\u00a0b", Channels.slug("A\u00a0B"));
    }

    /** The slug as the regular expressions of the V5 migration's SQL write it, kept here as the reference. */
    private static final Pattern SPACES = Pattern.compile("[ \\t\\n\\r\\f\\u000B]+");
    private static final Pattern SURROUNDING_SPACES = Pattern.compile("^" + SPACES.pattern() + "|" + SPACES.pattern() + "$");

    private static String bySqlsRules(String name) {
        StringBuilder lower = new StringBuilder(name.length());
        name.codePoints().map(Character::toLowerCase).forEach(lower::appendCodePoint);
        return SPACES.matcher(SURROUNDING_SPACES.matcher(lower).replaceAll("")).replaceAll("-");
    }

    @Test
    void agreesWithTheMigrationsRulesOnRandomNames() {
        String[] pieces = {" ", "\t", "\n", "\r", "\f", "\u000B", "\u00a0", "\u2003", "A", "z", "Ä", "ß", "İ", "Σ", "💸", "-",
                "\uD83D\uDC69\u200D\uD83D\uDCBB", "0"};
        Random random = new Random(17);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder name = new StringBuilder();
            for (int n = random.nextInt(8); n > 0; n--) {
                name.append(pieces[random.nextInt(pieces.length)]);
            }
            assertEquals(bySqlsRules(name.toString()), Channels.slug(name.toString()), "'" + name + "'");
        }
    }
}
