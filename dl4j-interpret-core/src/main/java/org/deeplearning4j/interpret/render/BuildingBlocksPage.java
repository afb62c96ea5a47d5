package org.deeplearning4j.interpret.render;

import org.deeplearning4j.interpret.blocks.BuildingBlocksResult;
import org.deeplearning4j.interpret.blocks.NeuronGroupsResult;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * The interactive Building Blocks page for one image: the input with the layer's grid over it, the activation grid,
 * and for the selected position (hover or click) its semantic dictionary (channel icons sized by activation, with
 * their attribution there) and attribution; spatial and channel attribution; neuron groups as coloured masks with
 * their icons and attributions; the whole-layer image. One self-contained file (images as data URIs, no network,
 * opens from the file system). The page reports its own state in {@code #status} and script errors in
 * {@code #errors}.
 */
public final class BuildingBlocksPage {
    /** Side of the input and grid views in CSS pixels. */
    public static final int VIEW = 320;
    /** Side of a dictionary icon at the largest activation. */
    public static final int ICON = 96;
    private static final int[] GROUP_COLOURS = {0xe41a1c, 0x377eb8, 0x4daf4a, 0x984ea3, 0xff7f00, 0xa65628,
        0xf781bf, 0x999999};

    private BuildingBlocksPage() {
    }

    /**
     * @param r the result
     * @param file destination (written atomically)
     * @throws IOException on failure
     */
    public static void write(BuildingBlocksResult r, File file) throws IOException {
        write(r, file, null);
    }

    /**
     * @param r the result
     * @param file destination
     * @param banner a warning shown above the page (e.g. that the weights are random), or null
     * @throws IOException on failure
     */
    public static void write(BuildingBlocksResult r, File file, String banner) throws IOException {
        Html.write(Html.withBanner(toHtml(r), banner), file);
    }

    private static String png(BufferedImage img) {
        return Html.pngUri(img);
    }

    private static String num(double d) {
        return Double.isFinite(d) ? String.format(Locale.ROOT, "%.5g", d) : "0";
    }

    private static String esc(String s) {
        return Html.esc(s);
    }

    /**
     * @param r the result
     * @return the page
     */
    public static String toHtml(BuildingBlocksResult r) {
        int h = r.height();
        int w = r.width();
        INDArray attr = r.unitAttribution();
        INDArray spatialAttr = r.spatialAttribution();
        BufferedImage input = FeatureVisImages.toImage(r.displayImage());
        StringBuilder js = new StringBuilder("{\"h\":").append(h).append(",\"w\":").append(w).append(",\"cells\":[");
        for (int p = 0; p < h * w; p++) {
            long[] f = r.receptiveField(p);
            BufferedImage full = FeatureVisImages.toImage(r.gridImage(p));
            BufferedImage crop = full.getSubimage((int) f[1], (int) f[0], (int) Math.max(1, f[3]),
                    (int) Math.max(1, f[2]));
            js.append(p > 0 ? "," : "").append("{\"img\":\"").append(png(Heatmaps.scale(crop, 48, 48)))
                    .append("\",\"attr\":").append(num(spatialAttr.getDouble(p / w, p % w)))
                    .append(",\"dict\":[");
            int[] ch = r.dictionaryChannels(p);
            double[] v = r.dictionaryValues(p);
            for (int j = 0; j < ch.length; j++) {
                js.append(j > 0 ? "," : "").append("{\"c\":").append(ch[j]).append(",\"v\":").append(num(v[j]))
                        .append(",\"a\":").append(num(attr.getDouble(ch[j], p / w, p % w))).append('}');
            }
            js.append("]}");
        }
        js.append("],\"icons\":{");
        boolean first = true;
        for (Map.Entry<Integer, INDArray> e : r.channelIcons().entrySet()) {
            js.append(first ? "" : ",").append('"').append(e.getKey()).append("\":\"")
                    .append(png(Heatmaps.scale(FeatureVisImages.toImage(e.getValue()), ICON, ICON))).append('"');
            first = false;
        }
        js.append("}}");

        INDArray channelAttr = r.channelAttribution();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Building blocks: ")
                .append(esc(r.layer())).append("</title>\n<style>")
                .append("body{font-family:sans-serif;margin:20px;color:#222}.row{display:flex;gap:24px;flex-wrap:wrap}")
                .append(".view{position:relative;width:").append(VIEW).append("px;height:").append(VIEW).append("px}")
                .append(".view img.base{width:100%;height:100%;image-rendering:pixelated}")
                .append(".overlay{position:absolute;inset:0;display:grid;grid-template-columns:repeat(").append(w)
                .append(",1fr);grid-template-rows:repeat(").append(h).append(",1fr)}")
                .append(".cell{border:1px solid rgba(255,255,255,.25);cursor:pointer}")
                .append(".cell.sel{outline:3px solid #ff0;z-index:2}")
                .append(".grid{display:grid;grid-template-columns:repeat(").append(w).append(",1fr);width:").append(VIEW)
                .append("px}.grid img{width:100%;display:block;cursor:pointer;image-rendering:pixelated}")
                .append(".entry{display:inline-block;text-align:center;margin:4px;font-size:12px;vertical-align:bottom}")
                .append(".entry img{display:block;margin:auto;image-rendering:pixelated}")
                .append("figure{display:inline-block;margin:6px;text-align:center;font-size:12px}")
                .append("figure img{width:128px;image-rendering:pixelated}#errors{color:#b00}</style></head><body>\n");
        html.append("<h1>Building blocks of <code>").append(esc(r.layer())).append("</code></h1>\n<p>Target <b>")
                .append(esc(r.target())).append("</b> = ").append(num(r.targetValue()))
                .append(". Hover or click a position: its semantic dictionary (channels sized by activation) and "
                        + "attributions appear on the right.</p>\n<p id=\"status\">loading</p><p id=\"errors\"></p>\n");
        html.append("<div class=\"row\"><div><h3>Input and layer positions</h3><div class=\"view\" id=\"input\">"
                + "<img class=\"base\" alt=\"input\" src=\"").append(png(Heatmaps.scale(input, VIEW, VIEW)))
                .append("\"><div class=\"overlay\" id=\"overlay\"></div></div></div>\n");
        html.append("<div><h3>Activation grid</h3><div class=\"grid\" id=\"grid\"></div></div>\n");
        html.append("<div><h3>Semantic dictionary at <span id=\"pos\"></span></h3><div id=\"dictionary\"></div>"
                + "<p id=\"cellattr\"></p></div></div>\n");
        BufferedImage spatial = Heatmaps.overlay(Heatmaps.scale(input, VIEW, VIEW), Heatmaps.scale(Heatmaps.heatmap(
                spatialAttr, Colormap.RDBU), VIEW, VIEW), Heatmaps.DEFAULT_ALPHA);
        html.append("<h2>Attribution</h2><div class=\"row\"><figure id=\"spatial\"><img style=\"width:")
                .append(VIEW).append("px\" alt=\"spatial attribution\" src=\"").append(png(spatial))
                .append("\"><figcaption>spatial attribution (blue negative, red positive)</figcaption></figure>")
                .append("<div id=\"channels\"><h3>Channels with the largest attribution</h3><ol>");
        double[] ca = channelAttr.toDoubleVector();
        Integer[] order = new Integer[ca.length];
        for (int i = 0; i < ca.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(Math.abs(ca[b]), Math.abs(ca[a])));
        for (int i = 0; i < Math.min(8, order.length); i++) {
            html.append("<li class=\"chan\">channel ").append(order[i]).append(": ").append(num(ca[order[i]]))
                    .append("</li>");
        }
        html.append("</ol></div></div>\n");
        NeuronGroupsResult g = r.groups();
        if (g != null) {
            html.append("<h2>Neuron groups</h2><div class=\"row\" id=\"groups\">");
            double[] ga = g.attribution();
            for (int k = 0; k < g.size(); k++) {
                int colour = GROUP_COLOURS[k % GROUP_COLOURS.length];
                BufferedImage mask = maskOverlay(input, g.mask(k), g.height(), g.width(), colour);
                html.append("<figure class=\"group\"><img alt=\"group ").append(k).append(" mask\" src=\"")
                        .append(png(mask)).append("\">");
                if (g.icon(k) != null) {
                    html.append("<img alt=\"group ").append(k).append(" icon\" src=\"")
                            .append(png(Heatmaps.scale(FeatureVisImages.toImage(g.icon(k)), 128, 128))).append("\">");
                }
                html.append(String.format(Locale.ROOT, "<figcaption style=\"color:#%06x\">group %d, attribution "
                        + "%s</figcaption></figure>", colour, k, num(ga[k])));
            }
            html.append("</div>\n");
        }
        html.append("<h2>What the whole layer sees</h2><figure><img alt=\"whole layer\" src=\"")
                .append(png(Heatmaps.scale(FeatureVisImages.toImage(r.wholeLayerImage()), 256, 256)))
                .append("\" style=\"width:256px\"><figcaption>one image matched to every position at once"
                        + "</figcaption></figure>\n");
        html.append("<script>\n\"use strict\";\nwindow.onerror=function(m){document.getElementById('errors')"
                + ".textContent+=m+' ';};\nconst D=").append(js).append(";\n")
                .append("const ICON=").append(ICON).append(";\n")
                .append("function show(p){\n"
                        + " document.querySelectorAll('.cell').forEach(function(c,i){c.classList.toggle('sel',i===p);});\n"
                        + " const cell=D.cells[p];\n"
                        + " document.getElementById('pos').textContent='y '+Math.floor(p/D.w)+', x '+(p%D.w);\n"
                        + " const dict=document.getElementById('dictionary');dict.innerHTML='';\n"
                        + " const vmax=Math.max.apply(null,cell.dict.map(function(e){return Math.abs(e.v);}))||1;\n"
                        + " cell.dict.forEach(function(e){\n"
                        + "  const d=document.createElement('div');d.className='entry';\n"
                        + "  const img=document.createElement('img');img.src=D.icons[e.c];\n"
                        + "  const s=Math.round(ICON*(0.4+0.6*Math.abs(e.v)/vmax));img.width=s;img.height=s;"
                        + "img.alt='channel '+e.c;\n"
                        + "  d.appendChild(img);d.appendChild(document.createTextNode('ch '+e.c+': act '"
                        + "+e.v.toPrecision(3)+', attr '+e.a.toPrecision(3)));dict.appendChild(d);});\n"
                        + " document.getElementById('cellattr').textContent='attribution at this position: '"
                        + "+cell.attr.toPrecision(3);\n}\n"
                        + "const overlay=document.getElementById('overlay'),grid=document.getElementById('grid');\n"
                        + "D.cells.forEach(function(cell,p){\n"
                        + " const c=document.createElement('div');c.className='cell';c.title='position '+p;\n"
                        + " c.addEventListener('mouseenter',function(){show(p);});"
                        + "c.addEventListener('click',function(){show(p);});overlay.appendChild(c);\n"
                        + " const g=document.createElement('img');g.src=cell.img;g.alt='grid '+p;"
                        + "g.addEventListener('mouseenter',function(){show(p);});grid.appendChild(g);});\n"
                        + "let best=0;D.cells.forEach(function(c,p){if(Math.abs(c.attr)>Math.abs(D.cells[best].attr))"
                        + "best=p;});\nshow(best);\n"
                        + "document.getElementById('status').textContent='ready: '+D.cells.length+' positions, '"
                        + "+document.querySelectorAll('#dictionary .entry').length+' dictionary entries';\n"
                        + "</script>\n</body></html>\n");
        return html.toString();
    }

    /** The input with a group's mask (upsampled nearest) tinted in its colour. */
    private static BufferedImage maskOverlay(BufferedImage input, double[] mask, int h, int w, int colour) {
        BufferedImage base = Heatmaps.scale(input, 128, 128);
        double max = 0;
        for (double m : mask) {
            max = Math.max(max, m);
        }
        BufferedImage out = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 128; x++) {
                double a = max > 0 ? 0.75 * mask[(y * h / 128) * w + x * w / 128] / max : 0;
                int b = base.getRGB(x, y);
                int rr = (int) ((b >> 16 & 0xff) * (1 - a) + (colour >> 16 & 0xff) * a);
                int gg = (int) ((b >> 8 & 0xff) * (1 - a) + (colour >> 8 & 0xff) * a);
                int bb = (int) ((b & 0xff) * (1 - a) + (colour & 0xff) * a);
                out.setRGB(x, y, (rr << 16) | (gg << 8) | bb);
            }
        }
        return out;
    }
}
