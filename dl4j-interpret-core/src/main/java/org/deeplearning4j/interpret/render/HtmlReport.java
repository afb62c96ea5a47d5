package org.deeplearning4j.interpret.render;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A self-contained HTML report: sections of captioned images, embedded as data URIs so the single file opens in any
 * browser without a server or network. Built with a fluent builder, written atomically.
 *
 * <pre>{@code
 * HtmlReport.builder("Saliency on shapes").section("Saliency", "max over channels of |gradient|")
 *         .image(img, "circle, p=0.98").build().write(new File("out/report.html"));
 * }</pre>
 */
public final class HtmlReport {
    private final String title;
    private final List<Section> sections;

    private HtmlReport(String title, List<Section> sections) {
        this.title = title;
        this.sections = List.copyOf(sections);
    }

    /**
     * @param title page title
     * @return a builder
     */
    public static Builder builder(String title) {
        return new Builder(title);
    }

    /** @return the number of images in the report */
    public int imageCount() {
        return sections.stream().mapToInt(s -> s.images.size()).sum();
    }

    /** @return the page as HTML text */
    public String toHtml() {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:24px;color:#222}"
                        + "figure{display:inline-block;margin:6px;text-align:center}"
                        + "img{image-rendering:pixelated;border:1px solid #ccc;max-width:100%}"
                        + "figcaption{font-size:12px;max-width:260px}</style></head><body>\n<h1>")
                .append(esc(title)).append("</h1>\n");
        for (Section s : sections) {
            sb.append("<section><h2>").append(esc(s.heading)).append("</h2>\n");
            if (!s.text.isEmpty()) {
                sb.append("<p>").append(esc(s.text)).append("</p>\n");
            }
            for (int i = 0; i < s.images.size(); i++) {
                sb.append("<figure><img alt=\"").append(esc(s.captions.get(i))).append("\" src=\"data:image/png;base64,")
                        .append(s.images.get(i)).append("\"><figcaption>").append(esc(s.captions.get(i)))
                        .append("</figcaption></figure>\n");
            }
            sb.append("</section>\n");
        }
        return sb.append("</body></html>\n").toString();
    }

    /**
     * @param file destination (parent directories are created)
     * @throws IOException on failure
     */
    public void write(File file) throws IOException {
        Html.write(toHtml(), file);
    }

    private static String esc(String s) {
        return Html.esc(s);
    }

    private static final class Section {
        final String heading;
        final String text;
        final List<String> images = new ArrayList<>();
        final List<String> captions = new ArrayList<>();

        Section(String heading, String text) {
            this.heading = heading;
            this.text = text == null ? "" : text;
        }
    }

    /** Collects sections and images; images are PNG-encoded as they are added. */
    public static final class Builder {
        private final String title;
        private final List<Section> sections = new ArrayList<>();

        private Builder(String title) {
            this.title = title == null ? "dl4j-interpret report" : title;
        }

        /**
         * @param heading section heading
         * @param text explanatory paragraph (may be empty)
         * @return this
         */
        public Builder section(String heading, String text) {
            sections.add(new Section(heading, text));
            return this;
        }

        /**
         * @param img image
         * @param caption caption
         * @return this
         */
        public Builder image(BufferedImage img, String caption) {
            if (sections.isEmpty()) {
                section("Images", "");
            }
            Section s = sections.get(sections.size() - 1);
            s.images.add(Html.pngBase64(img));
            s.captions.add(caption == null ? "" : caption);
            return this;
        }

        /** @return the report */
        public HtmlReport build() {
            return new HtmlReport(title, sections);
        }
    }
}
