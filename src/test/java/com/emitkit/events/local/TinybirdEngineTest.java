package com.emitkit.events.local;

import com.emitkit.events.local.datafile.DatafileException;
import com.emitkit.events.local.datafile.DatafileParser;
import com.emitkit.events.local.datafile.Datasource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine clause as Tinybird's engine builder writes it, and what it refuses (its messages, our line numbers). */
class TinybirdEngineTest {

    @TempDir
    Path dir;

    @Test
    void everyOptionIsWrittenInParenthesesAndSettingsComeLast() throws IOException {
        assertEquals("MergeTree() ORDER BY (tuple())", engine("SCHEMA >\n    `a` String\n"));
        assertEquals("MergeTree() PARTITION BY (toDate(t)) ORDER BY (a, t) TTL (t + INTERVAL 1 DAY)"
                        + " SETTINGS index_granularity = 32",
                engine("""
                        SCHEMA >
                            `a` String,
                            `t` DateTime

                        ENGINE "MergeTree"
                        ENGINE_SETTINGS "index_granularity = 32"
                        ENGINE_TTL "t + INTERVAL 1 DAY"
                        ENGINE_SORTING_KEY "a, t"
                        ENGINE_PARTITION_KEY "toDate(t)"
                        """));
        assertEquals("ReplacingMergeTree(v) ORDER BY (a)",
                engine("SCHEMA >\n    `a` String,\n    `v` UInt64\n\nENGINE \"ReplacingMergeTree\"\nENGINE_SORTING_KEY \"a\"\nENGINE_VER \"v\"\n"));
        assertEquals("VersionedCollapsingMergeTree(s, v) ORDER BY (tuple())", engine("""
                SCHEMA >
                    `s` Int8,
                    `v` UInt64

                ENGINE "versionedcollapsingmergetree"
                ENGINE_SIGN "s"
                ENGINE_VERSION "v"
                """));
        assertEquals("Null()", engine("SCHEMA >\n    `a` String\n\nENGINE \"Null\"\nENGINE_SORTING_KEY \"a\"\n"));
    }

    @Test
    void whatTinybirdsEngineBuilderRefusesFailsAtTheLineOfTheSetting() {
        assertRefused("SCHEMA >\n    `a` String\n\nENGINE \"Log\"\n",
                ":4: Engine Log is not supported, supported engines include: MergeTree, ReplacingMergeTree,");
        assertRefused("SCHEMA >\n    `a` String\n\nENGINE \"AggregatingMergeTree\"\n", ":4: Missing required option 'sorting_key'");
        assertRefused("SCHEMA >\n    `a` String\n\nENGINE \"ReplacingMergeTree\"\nENGINE_SORTING_KEY \"tuple()\"\n",
                ":5: Invalid value 'tuple()' for option 'engine_sorting_key', reason: 'tuple()' is not a valid sorting key");
        assertRefused("SCHEMA >\n    `a` String\n\nENGINE \"CollapsingMergeTree\"\nENGINE_SORTING_KEY \"a\"\n",
                ":4: Missing required parameter 'sign'");
        assertRefused("SCHEMA >\n    `a` String\n\nENGINE \"ReplacingMergeTree\"\nENGINE_SORTING_KEY \"a\"\nENGINE_VER \"version\"\n",
                ":6: Invalid value 'version' for parameter 'engine_ver', reason: 'version' column is not present in schema");
        assertRefused("SCHEMA >\n    `a` String\n\nENGINE \"Join\"\nENGINE_JOIN_STRICTNESS \"ANY\"\nENGINE_JOIN_TYPE \"OUTER\"\n"
                + "ENGINE_KEY_COLUMNS \"a\"\n", ":6: Invalid value 'OUTER' for parameter 'engine_join_type', reason: valid values are");
    }

    private String engine(String datafile) throws IOException {
        return TinybirdEngine.clauses(datasource(datafile)).stream().map(TinybirdEngine.Clause::sql)
                .collect(Collectors.joining(" "));
    }

    private void assertRefused(String datafile, String message) {
        DatafileException e = assertThrows(DatafileException.class, () -> engine(datafile));
        assertTrue(e.getMessage().contains("probe.datasource" + message), e.getMessage());
    }

    private Datasource datasource(String datafile) throws IOException {
        Path file = dir.resolve("probe.datasource");
        Files.writeString(file, datafile);
        return DatafileParser.parseDatasource(file);
    }
}
