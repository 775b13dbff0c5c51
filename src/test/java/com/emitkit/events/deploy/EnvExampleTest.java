package com.emitkit.events.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** .env.example lists every setting of the service, and nothing it does not read. */
class EnvExampleTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    /** {@code NAME=value}, or commented out as {@code # NAME=value} when at its default. */
    private static final Pattern ENTRY = Pattern.compile("^(?:#\\s*)?([A-Z][A-Z0-9_]*)=", Pattern.MULTILINE);

    @Test
    void everySettingIsListedAndEveryListedNameIsASetting() throws IOException {
        ServiceSettings settings = ServiceSettings.load(ROOT);
        Set<String> listed = new TreeSet<>();
        Matcher entry = ENTRY.matcher(Files.readString(ROOT.resolve(".env.example")));
        while (entry.find()) {
            listed.add(entry.group(1));
        }

        List<String> missing = new ArrayList<>();
        for (String property : ServiceSettings.emitKitProperties()) {
            // A property whose value is ${TINYBIRD_TOKEN:} is documented under that variable.
            List<String> referenced = settings.referencedVariables(property);
            String name = referenced.isEmpty() ? ServiceSettings.envName(property) : referenced.getFirst();
            if (!listed.contains(name)) {
                missing.add(name + " (" + property + ")");
            }
        }
        List<String> others = new ArrayList<String>();
        ServiceSettings.DEPLOYMENT_PROPERTIES.forEach(p -> others.add(ServiceSettings.envName(p)));
        ServiceSettings.readByCode(ROOT).stream().filter(n -> n.startsWith("EMITKIT_")).forEach(others::add);
        others.stream().filter(n -> !listed.contains(n)).forEach(missing::add);
        assertEquals(List.of(), missing, "settings missing from .env.example");

        assertEquals(List.of(), listed.stream().filter(n -> !settings.reads(n)).toList(),
                "names in .env.example that the service does not read");
    }
}
