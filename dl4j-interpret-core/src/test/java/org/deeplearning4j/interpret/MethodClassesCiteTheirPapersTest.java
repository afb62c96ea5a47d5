package org.deeplearning4j.interpret;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The build's check of the style rule: every method, metric, concept test and segmenter class cites its paper in its class javadoc. */
class MethodClassesCiteTheirPapersTest {
    private static final Path SOURCES = Paths.get("src/main/java/org/deeplearning4j/interpret");
    private static final Pattern CITATION = Pattern.compile("(arxiv\\.org|, (19|20)\\d\\d)");

    @Test
    void everyAttributionAndMetricClassCitesItsPaper() throws IOException {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (String pkg : new String[] {"attribution", "evaluation", "concepts", "segmentation"}) {
            try (Stream<Path> files = Files.list(SOURCES.resolve(pkg))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String src = Files.readString(f);
                    boolean method = src.contains("implements Attribution")
                            || f.endsWith("Tcav.java") || f.endsWith("Segmenters.java")
                            || pkg.equals("evaluation") && (src.contains("public static Builder builder(")
                            || src.contains("public static List<MetricResult> evaluate(")
                            || src.contains("public static MetricResult evaluate("));
                    if (!method || f.endsWith("MethodScorecard.java")) { // a runner of the cited metrics
                        continue;
                    }
                    checked++;
                    int cls = src.indexOf("public final class");
                    int doc = src.lastIndexOf("/**", cls);
                    if (cls < 0 || doc < 0 || !CITATION.matcher(src.substring(doc, cls)).find()) {
                        missing.add(f.getFileName().toString());
                    }
                }
            }
        }
        assertTrue(checked >= 15, "only " + checked + " classes found; is the source path right?");
        assertTrue(missing.isEmpty(), "method classes without a paper reference in their javadoc: " + missing);
    }
}
