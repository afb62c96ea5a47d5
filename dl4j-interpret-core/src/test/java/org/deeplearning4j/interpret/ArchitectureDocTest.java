package org.deeplearning4j.interpret;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/ARCHITECTURE.md stays true: every core class it names as {@code package.Class} exists. */
class ArchitectureDocTest {
    private static final Path DOC = Paths.get("../docs/ARCHITECTURE.md");
    private static final Path SOURCES = Paths.get("src/main/java/org/deeplearning4j/interpret");
    private static final Pattern CLASS = Pattern.compile("\\b([a-z]+)\\.([A-Z][A-Za-z0-9]+)\\b");

    @Test
    void everyClassThePageNamesExists() throws IOException {
        String doc = Files.readString(DOC);
        List<String> missing = new ArrayList<>();
        int named = 0;
        Matcher m = CLASS.matcher(doc);
        while (m.find()) {
            Path pkg = SOURCES.resolve(m.group(1));
            if (!Files.isDirectory(pkg)) {
                continue; // not a core package (e.g. a file name)
            }
            named++;
            if (!Files.exists(pkg.resolve(m.group(2) + ".java"))) {
                missing.add(m.group());
            }
        }
        assertTrue(named >= 20, "only " + named + " classes named; is the page's path right?");
        assertTrue(missing.isEmpty(), "docs/ARCHITECTURE.md names classes that do not exist: " + missing);
    }
}
