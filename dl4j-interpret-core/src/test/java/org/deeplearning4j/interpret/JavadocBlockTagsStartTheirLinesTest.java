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
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's check of javadoc block tags (javac's doclint, on in the parent pom, checks syntax, parameter names and
 * references): a block tag ({@code @param}, {@code @return}, {@code @throws}) after other text on a line is not a
 * tag but part of that text, so a one-line comment with a parameter and a return tag documents no return value and
 * gives the parameter the rest of the line as its description. Every module's sources are checked.
 */
class JavadocBlockTagsStartTheirLinesTest {
    private static final Path ROOT = Paths.get("..");
    private static final Pattern TAG_AFTER_TEXT = Pattern.compile("\\S\\s+@(param|return|throws)\\b");

    @Test
    void noBlockTagFollowsTextOnItsLine() throws IOException {
        List<String> bad = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(ROOT)) {
            for (Path f : (Iterable<Path>) all::iterator) {
                String p = ROOT.relativize(f).toString().replace('\\', '/');
                // sources under a module's src/ (build output under <module>/target/ is not; the package
                // org.deeplearning4j.interpret.targets is)
                if (!p.endsWith(".java") || !p.matches("[^/]+/src/.*")) {
                    continue;
                }
                files++;
                List<String> lines = Files.readAllLines(f);
                boolean inDoc = false;
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i);
                    if (line.contains("/**")) {
                        inDoc = true;
                    }
                    if (inDoc) {
                        String text = line.replaceAll("\\{@[^}]*}", "").replaceFirst("^\\s*(/\\*\\*|\\*)", "");
                        Matcher m = TAG_AFTER_TEXT.matcher(text);
                        if (m.find()) {
                            bad.add(p + ":" + (i + 1) + ": " + line.trim());
                        }
                    }
                    if (line.contains("*/")) {
                        inDoc = false;
                    }
                }
            }
        }
        assertTrue(files > 250, "only " + files + " source files found; is the repository root right?");
        assertTrue(bad.isEmpty(), bad.size() + " javadoc block tags follow text on their line (start each on its own "
                + "line):\n" + String.join("\n", bad));
    }
}
