package org.deeplearning4j.interpret.render;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Base64;

/** What the self-contained pages share: escaping, embedded PNGs, atomic writes. */
final class Html {
    private Html() {
    }

    /**
     * @param s text
     * @return the text escaped for HTML content and attributes
     */
    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * @param html a page
     * @param banner a warning to show above everything (e.g. "random weights"), or null
     * @return the page with the banner as the first thing in its body
     */
    static String withBanner(String html, String banner) {
        if (banner == null || banner.isBlank()) {
            return html;
        }
        int body = html.indexOf("<body>");
        if (body < 0) {
            throw new IllegalArgumentException("Not a page with a <body>");
        }
        String div = "<div role=\"alert\" style=\"background:#b00;color:#fff;font:bold 18px sans-serif;padding:10px 16px;"
                + "margin:0 0 12px 0\">" + esc(banner) + "</div>\n";
        return html.substring(0, body + 6) + "\n" + div + html.substring(body + 6);
    }

    /**
     * @param img image
     * @return its PNG encoding, base64
     */
    static String pngBase64(BufferedImage img) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            ImageIO.write(img, "png", bos);
            return Base64.getEncoder().encodeToString(bos.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding failed", e);
        }
    }

    /**
     * @param img image
     * @return a {@code data:} URI embedding it as PNG
     */
    static String pngUri(BufferedImage img) {
        return "data:image/png;base64," + pngBase64(img);
    }

    /**
     * Writes through a temporary file and a rename, so a reader never sees half a page.
     *
     * @param html the page
     * @param file destination (parent directories are created)
     * @throws IOException on failure
     */
    static void write(String html, File file) throws IOException {
        File parent = file.getAbsoluteFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
            throw new IOException("Cannot create directory " + parent);
        }
        File tmp = new File(file.getPath() + ".tmp");
        Files.writeString(tmp.toPath(), html, StandardCharsets.UTF_8);
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.REPLACE_EXISTING);
    }
}
