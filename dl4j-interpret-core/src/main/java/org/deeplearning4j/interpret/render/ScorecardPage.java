package org.deeplearning4j.interpret.render;

import org.deeplearning4j.interpret.evaluation.Curves;
import org.deeplearning4j.interpret.evaluation.MetricResult;
import org.deeplearning4j.interpret.evaluation.RandomizationResult;
import org.deeplearning4j.interpret.evaluation.ScorecardResult;
import org.deeplearning4j.interpret.model.InputSpec;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A scorecard as one self-contained HTML page: the metric table (best value per column marked), the mean
 * deletion/insertion curves against random order as inline SVG charts, the sanity checks with their verdicts, an
 * example map per method, and what each metric means. No scripts, no network.
 */
public final class ScorecardPage {
    /** Line colours of the methods, in order (colour-blind-safe Tableau palette). */
    static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
        "#17becf"};
    /** The random-order curve's colour. */
    static final String RANDOM_COLOUR = "#888888";
    private static final int CHART_W = 420;
    private static final int CHART_H = 280;
    private static final int MAP_SIDE = 224;

    private ScorecardPage() {
    }

    /**
     * @param s the scorecard
     * @param spec the model's input spec (to show the example image)
     * @param file destination
     * @throws IOException on failure
     */
    public static void write(ScorecardResult s, InputSpec spec, File file) throws IOException {
        write(s, spec, file, null);
    }

    /**
     * @param s the scorecard
     * @param spec the model's input spec
     * @param file destination
     * @param banner a warning shown above the page (e.g. that the weights are random), or null
     * @throws IOException on failure
     */
    public static void write(ScorecardResult s, InputSpec spec, File file, String banner) throws IOException {
        Html.write(Html.withBanner(toHtml(s, spec, file.getName()), banner), file);
    }

    /**
     * @param s the scorecard
     * @param spec the model's input spec
     * @param title page title
     * @return the page
     */
    public static String toHtml(ScorecardResult s, InputSpec spec, String title) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}"
                        + "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;"
                        + "font-size:13px;text-align:right}th{background:#f3f3f3}td.name{text-align:left}"
                        + "td.best{font-weight:bold;background:#e6f4e6}td.ref{color:#777}.fail{color:#b00;"
                        + "font-weight:bold}.pass{color:#070;font-weight:bold}figure{display:inline-block;margin:6px;"
                        + "text-align:center;vertical-align:top}img{image-rendering:pixelated;border:1px solid #ccc}"
                        + "figcaption{font-size:12px;max-width:240px}svg{margin:6px;border:1px solid #ddd}"
                        + "p.note{font-size:13px;max-width:900px}</style></head><body>\n");
        sb.append("<h1>Which map can I trust on this model?</h1>\n<p class=\"note\">");
        List<String> opts = new ArrayList<>();
        s.options().forEach((k, v) -> opts.add(k + ": " + v));
        sb.append(Html.esc(String.join("; ", opts))).append("</p>\n");
        table(sb, s);
        curves(sb, s);
        sanity(sb, s);
        examples(sb, s, spec);
        glossary(sb);
        return sb.append("</body></html>\n").toString();
    }

    private static void table(StringBuilder sb, ScorecardResult s) {
        List<String> metrics = s.metrics();
        if (metrics.isEmpty()) {
            return;
        }
        sb.append("<h2>Metrics (mean &plusmn; sd over the images)</h2>\n<table><tr><th>method</th>");
        for (String m : metrics) {
            boolean ref = m.contains("random");
            boolean higher = s.methods().stream().map(x -> s.value(x, m)).filter(Optional::isPresent)
                    .map(Optional::get).findFirst().map(MetricResult::higherIsBetter).orElse(false);
            sb.append("<th>").append(Html.esc(m)).append(ref ? "" : higher ? " &uarr;" : " &darr;").append("</th>");
        }
        sb.append("</tr>\n");
        for (String method : s.methods()) {
            sb.append("<tr><td class=\"name\">").append(Html.esc(method)).append("</td>");
            for (String m : metrics) {
                Optional<MetricResult> r = s.value(method, m);
                if (r.isEmpty()) {
                    sb.append("<td></td>");
                    continue;
                }
                String cls = m.contains("random") ? "ref" : isBest(s, method, m) ? "best" : "";
                sb.append("<td class=\"").append(cls).append("\">").append(String.format(Locale.ROOT,
                        "%.4g &plusmn; %.2g", r.get().mean(), r.get().std())).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n<p class=\"note\">&darr; lower is better, &uarr; higher is better; bold: the best method "
                + "in the column. Grey columns are the random-order reference a map must beat.</p>\n");
    }

    private static boolean isBest(ScorecardResult s, String method, String metric) {
        MetricResult mine = s.value(method, metric).orElseThrow();
        for (String other : s.methods()) {
            Optional<MetricResult> o = s.value(other, metric);
            if (o.isPresent() && (mine.higherIsBetter() ? o.get().mean() > mine.mean()
                    : o.get().mean() < mine.mean())) {
                return false;
            }
        }
        return true;
    }

    private static void curves(StringBuilder sb, ScorecardResult s) {
        Set<String> kinds = new LinkedHashSet<>();
        for (String m : s.methods()) {
            kinds.addAll(s.curves(m).keySet());
        }
        if (kinds.isEmpty()) {
            return;
        }
        sb.append("<h2>Curves (mean over the images)</h2>\n");
        for (String kind : kinds) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double[] fractions = null;
            double[] random = null;
            for (String m : s.methods()) {
                Curves c = s.curves(m).get(kind);
                if (c == null) {
                    continue;
                }
                fractions = c.fractions();
                random = c.meanRandomCurve();
                for (double[] v : new double[][] {c.meanCurve(), random}) {
                    for (double d : v) {
                        min = Math.min(min, d);
                        max = Math.max(max, d);
                    }
                }
            }
            if (max - min < 1e-12) {
                max = min + 1;
            }
            int l = 50;
            int r = 10;
            int t = 24;
            int b = 36;
            double pw = CHART_W - l - r;
            double ph = CHART_H - t - b;
            sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(CHART_W).append("\" height=\"")
                    .append(CHART_H).append("\" role=\"img\" aria-label=\"").append(Html.esc(kind)).append(" curves\">")
                    .append("<text x=\"").append(CHART_W / 2).append("\" y=\"16\" text-anchor=\"middle\" "
                            + "font-size=\"13\">").append(Html.esc(kind)).append("</text>");
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>"
                    + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"#444\"/>", l, t + ph, l + pw, t + ph, l,
                    t, l, t + ph));
            for (int k = 0; k <= 4; k++) {
                double fy = t + ph - k * ph / 4;
                double v = min + k * (max - min) / 4;
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">"
                        + "%.3g</text>", l - 4, fy + 3, v));
                sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
                        + "text-anchor=\"middle\">%d%%</text>", l + k * pw / 4, t + ph + 14, k * 25));
            }
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">"
                    + "pixels %s</text>", l + pw / 2, CHART_H - 4, kind.contains("insertion") ? "revealed"
                    : "removed"));
            int i = 0;
            for (String m : s.methods()) {
                Curves c = s.curves(m).get(kind);
                if (c != null) {
                    polyline(sb, fractions, c.meanCurve(), min, max, l, t, pw, ph, PALETTE[i % PALETTE.length], "");
                }
                i++;
            }
            polyline(sb, fractions, random, min, max, l, t, pw, ph, RANDOM_COLOUR, " stroke-dasharray=\"6 4\"");
            int ly = t + 6;
            i = 0;
            for (String m : s.methods()) {
                legend(sb, l + pw - 150, ly + 14 * i, PALETTE[i % PALETTE.length], m, "");
                i++;
            }
            legend(sb, l + pw - 150, ly + 14 * i, RANDOM_COLOUR, "random order", " stroke-dasharray=\"6 4\"");
            sb.append("</svg>\n");
        }
    }

    private static void polyline(StringBuilder sb, double[] fx, double[] v, double min, double max, int l, int t,
            double pw, double ph, String colour, String extra) {
        sb.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2.5\"").append(extra)
                .append(" points=\"");
        for (int k = 0; k < v.length; k++) {
            sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", l + fx[k] * pw, t + ph - (v[k] - min) / (max - min) * ph));
        }
        sb.append("\"/>");
    }

    private static void legend(StringBuilder sb, double x, double y, String colour, String label, String extra) {
        sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-width=\"2.5\"%s/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s</text>", x, y, x + 18, y,
                colour, extra, x + 22, y + 4, Html.esc(label)));
    }

    private static void sanity(StringBuilder sb, ScorecardResult s) {
        boolean any = s.methods().stream().anyMatch(m -> s.sanityCheck(m).isPresent());
        if (!any) {
            return;
        }
        sb.append("<h2>Sanity check: cascading model-parameter randomization</h2>\n<table><tr><th>method</th>"
                + "<th>verdict</th><th>rank corr. |map| (all layers random)</th><th>rank corr. signed</th><th>SSIM</th>"
                + "<th>HOG similarity</th><th>layers</th></tr>\n");
        for (String m : s.methods()) {
            Optional<RandomizationResult> r = s.sanityCheck(m);
            if (r.isEmpty()) {
                continue;
            }
            RandomizationResult rr = r.get();
            int last = rr.stages().size() - 1;
            sb.append("<tr><td class=\"name\">").append(Html.esc(m)).append("</td><td class=\"")
                    .append(rr.passed() ? "pass\">passed" : "fail\">FAILED").append("</td>");
            for (String measure : List.of("spearman-abs", "spearman", "ssim", "hog")) {
                sb.append(String.format(Locale.ROOT, "<td>%.3f</td>", rr.meanSimilarity(measure)[last]));
            }
            sb.append("<td>").append(rr.stages().size()).append("</td></tr>\n");
        }
        sb.append("</table>\n<p class=\"note\">After every layer's parameters are re-drawn at random, a method that "
                + "explains the model must give a different map. A high rank correlation with the trained model's "
                + "map (at or above the threshold, ").append(String.format(Locale.ROOT, "%.2f", s.methods().stream()
                .map(s::sanityCheck).filter(Optional::isPresent).findFirst().get().get().threshold()))
                .append(") means the map shows the image, not the model.</p>\n");
    }

    private static void examples(StringBuilder sb, ScorecardResult s, InputSpec spec) {
        sb.append("<h2>Example maps (first image)</h2>\n");
        BufferedImage input = Heatmaps.inputImage(s.exampleInput().slice(0), spec);
        figure(sb, Heatmaps.enlarge(input, MAP_SIDE), "input");
        for (String m : s.methods()) {
            BufferedImage heat = Heatmaps.heatmap(s.exampleMap(m), s.isSigned(m) ? Colormap.RDBU : Colormap.INFERNO);
            figure(sb, Heatmaps.enlarge(heat, MAP_SIDE), m + (s.isSigned(m) ? " (signed: red +, blue -)" : ""));
        }
        sb.append('\n');
    }

    private static void figure(StringBuilder sb, BufferedImage img, String caption) {
        sb.append("<figure><img alt=\"").append(Html.esc(caption)).append("\" src=\"").append(Html.pngUri(img))
                .append("\"><figcaption>").append(Html.esc(caption)).append("</figcaption></figure>");
    }

    private static void glossary(StringBuilder sb) {
        Map<String, String> g = new java.util.LinkedHashMap<>();
        g.put("deletion AUC", "Remove pixels most-important-first (neutral fill); area under the class probability "
                + "curve. Lower: the map found what the model needs. Caveat: the filled patches are unlike training "
                + "images.");
        g.put("insertion AUC", "Reveal pixels most-important-first on a blurred canvas. Higher is better.");
        g.put("ROAD deletion AUC", "Deletion with removed pixels imputed from their neighbours plus noise, which "
                + "avoids the out-of-distribution artefact and the leak of the mask's shape. Lower is better.");
        g.put("random order", "The same curves in random pixel orders: a map that does not beat them carries no "
                + "information about the model.");
        g.put("infidelity", "Mean squared error between attribution . perturbation and the actual change of the "
                + "target under random noise (Yeh et al. 2019). Lower is better; it depends on the noise scale.");
        g.put("max-/avg-sensitivity", "Relative change of the attribution under small uniform input noise. Lower is "
                + "more stable; a constant map scores 0, so read it with a faithfulness metric.");
        g.put("completeness-gap", "|sum of attributions - (f(x) - f(0))| / |f(x) - f(0)|; only integrated gradients "
                + "(and gradient x input on bias-free ReLU nets) promise 0.");
        g.put("sanity check", "Cascading model-parameter randomization (Adebayo et al. 2018).");
        sb.append("<h2>What the metrics mean</h2>\n<table>");
        g.forEach((k, v) -> sb.append("<tr><td class=\"name\"><b>").append(Html.esc(k)).append("</b></td>"
                + "<td class=\"name\">").append(Html.esc(v)).append("</td></tr>\n"));
        sb.append("</table>\n");
    }
}
