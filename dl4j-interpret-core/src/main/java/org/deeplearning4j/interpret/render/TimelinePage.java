package org.deeplearning4j.interpret.render;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training timeline ({@code timeline.html}): one section per row (an attribution of one probe, one channel's
 * visualization, ...) with that row's pictures in snapshot order, each scaled to at least a cell. Not thread-safe:
 * one writer.
 */
public final class TimelinePage {
    private final String title;
    private final int cell;
    private final Map<String, List<Picture>> rows = new LinkedHashMap<>();

    private record Picture(BufferedImage image, String caption) {
    }

    /**
     * @param title the page title
     * @param cell the smallest side pictures are shown at, in pixels
     */
    public TimelinePage(String title, int cell) {
        this.title = title;
        this.cell = cell;
    }

    /**
     * @param row the row (created on first use; rows keep the order they first appear in)
     * @param image the picture
     * @param caption its caption
     */
    public void add(String row, BufferedImage image, String caption) {
        rows.computeIfAbsent(row, k -> new ArrayList<>()).add(new Picture(image, caption));
    }

    /** @return the rows so far, in order */
    public List<String> rows() {
        return Collections.unmodifiableList(new ArrayList<>(rows.keySet()));
    }

    /**
     * @param file the HTML file to (over)write
     * @throws IOException on write failure
     */
    public void write(File file) throws IOException {
        HtmlReport.Builder r = HtmlReport.builder(title);
        for (Map.Entry<String, List<Picture>> e : rows.entrySet()) {
            r.section(e.getKey(), "");
            for (Picture p : e.getValue()) {
                BufferedImage b = p.image();
                int side = Math.max(b.getWidth(), b.getHeight());
                r.image(side >= cell ? b : Heatmaps.scale(b, b.getWidth() * cell / side, b.getHeight() * cell / side),
                        p.caption());
            }
        }
        r.build().write(file);
    }
}
