package org.deeplearning4j.interpret.render;

import org.deeplearning4j.interpret.concepts.ConceptScore;
import org.deeplearning4j.interpret.concepts.TcavResult;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * A self-contained HTML page for a TCAV test: one bar per concept (mean TCAV score with its standard deviation, the
 * random concepts' mean as a dashed line), and a table with each concept's scores, p-value and verdict.
 */
public final class TcavPage {
    private static final int BAR_W = 70;
    private static final int CHART_H = 200;

    private TcavPage() {
    }

    /**
     * @param r the test's result
     * @param file destination (written atomically)
     * @param banner a warning shown above the page (e.g. that the weights are random), or null
     * @throws IOException on failure
     */
    public static void write(TcavResult r, File file, String banner) throws IOException {
        Html.write(Html.withBanner(toHtml(r, file.getName()), banner), file);
    }

    /**
     * @param r the test's result
     * @param title page title
     * @return the page
     */
    public static String toHtml(TcavResult r, String title) {
        double randomMean = Arrays.stream(r.randomScores()).average().orElse(Double.NaN);
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}"
                        + "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;"
                        + "font-size:13px;text-align:right}th{background:#f3f3f3}td.name{text-align:left}"
                        + ".yes{color:#060;font-weight:bold}.no{color:#777}</style></head><body>\n")
                .append("<h1>TCAV: which concepts matter for ").append(Html.esc(r.target())).append("</h1>\n")
                .append(String.format(Locale.ROOT, "<p>Layer <b>%s</b>; %d class images. A concept's TCAV score is "
                        + "the fraction of the class images whose target grows along the concept's activation "
                        + "vector; each bar is the mean over the random sets the CAV was trained against (error bar: "
                        + "one standard deviation). The dashed line is the mean score of random concepts (each random "
                        + "set taken as a concept against the others: %.3f); a concept is significant when its mean is "
                        + "an outlier among the random concepts' means (two-sided t test, p &lt; %s).</p>\n",
                        Html.esc(r.layer()), r.classImages(), randomMean, r.alpha()));
        int n = r.concepts().size();
        int w = 60 + n * (BAR_W + 30);
        sb.append("<svg width=\"").append(w).append("\" height=\"").append(CHART_H + 60)
                .append("\" role=\"img\" aria-label=\"TCAV scores\">\n");
        for (double t : new double[] {0, 0.5, 1}) {
            int y = (int) (20 + CHART_H * (1 - t));
            sb.append(String.format(Locale.ROOT, "<line x1=\"40\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"34\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.1f</text>\n", w, y, y, y + 4, t));
        }
        for (int i = 0; i < n; i++) {
            ConceptScore c = r.concepts().get(i);
            int x = 60 + i * (BAR_W + 30);
            int top = (int) (20 + CHART_H * (1 - c.mean()));
            String colour = c.significant() ? "#2a7ab9" : "#bbb";
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                    + "<title>%s</title></rect>\n", x, top, BAR_W, 20 + CHART_H - top, colour, Html.esc(c.toString())));
            int lo = (int) (20 + CHART_H * (1 - Math.max(0, c.mean() - c.standardDeviation())));
            int hi = (int) (20 + CHART_H * (1 - Math.min(1, c.mean() + c.standardDeviation())));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#222\"/>\n",
                    x + BAR_W / 2, x + BAR_W / 2, lo, hi));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">"
                    + "%s</text>\n", x + BAR_W / 2, CHART_H + 40, Html.esc(c.concept())));
        }
        int ry = (int) (20 + CHART_H * (1 - randomMean));
        sb.append(String.format(Locale.ROOT, "<line x1=\"40\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#c00\" "
                + "stroke-dasharray=\"6 4\"/></svg>\n", w, ry, ry));
        sb.append("<table><tr><th>concept</th><th>mean TCAV</th><th>sd</th><th>p-value</th><th>significant</th>"
                + "<th>mean CAV accuracy</th><th>scores</th></tr>\n");
        for (ConceptScore c : r.concepts()) {
            sb.append(String.format(Locale.ROOT, "<tr><td class=\"name\">%s</td><td>%.3f</td><td>%.3f</td>"
                    + "<td>%.3g</td><td class=\"%s\">%s</td><td>%.3f</td><td class=\"name\">%s</td></tr>\n",
                    Html.esc(c.concept()), c.mean(), c.standardDeviation(), c.pValue(),
                    c.significant() ? "yes" : "no", c.significant() ? "yes" : "no",
                    Arrays.stream(c.cavAccuracies()).average().orElse(Double.NaN), Html.esc(format(c.scores()))));
        }
        sb.append(String.format(Locale.ROOT, "<tr><td class=\"name\">(random concepts)</td><td>%.3f</td><td></td>"
                + "<td></td><td></td><td></td><td class=\"name\">%s</td></tr>\n</table>\n</body></html>\n", randomMean,
                Html.esc(format(r.randomScores()))));
        return sb.toString();
    }

    private static String format(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", d));
        }
        return sb.toString();
    }
}
