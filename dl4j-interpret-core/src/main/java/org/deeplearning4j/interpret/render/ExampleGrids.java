package org.deeplearning4j.interpret.render;

import org.deeplearning4j.interpret.dataset.ExampleSearchResult;
import org.deeplearning4j.interpret.dataset.Hit;
import org.deeplearning4j.interpret.dataset.Unit;
import org.deeplearning4j.interpret.model.InputSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders example-search results: per-unit grids of crops with their activation values, and deconvnet figures. */
public final class ExampleGrids {
    /** Grid cell size in pixels. */
    public static final int DEFAULT_CELL = 96;

    private ExampleGrids() {
    }

    /**
     * @param r search result
     * @param u unit
     * @param spec the model's input spec (for display)
     * @param cell cell size
     * @return the unit's top-k crops, captioned with rank and value (several examples, never one)
     */
    public static BufferedImage topGrid(ExampleSearchResult r, Unit u, InputSpec spec, int cell) {
        List<BufferedImage> imgs = new ArrayList<>();
        List<String> caps = new ArrayList<>();
        int rank = 1;
        for (Hit h : r.top(u)) {
            imgs.add(Heatmaps.inputImage(h.crop(), spec));
            caps.add(String.format(Locale.ROOT, "#%d %.3g", rank++, h.value()));
        }
        return Heatmaps.grid(imgs, caps, (int) Math.ceil(Math.sqrt(imgs.size())), cell);
    }

    /**
     * The classic Zeiler-Fergus figure: for each top example of a unit, its deconvnet projection beside its
     * receptive-field crop.
     *
     * @param r search result
     * @param u unit
     * @param projections from {@code HitProjections.top(model, r, u)}
     * @param spec the model's input spec
     * @param cell cell size
     * @return the figure (pairs of projection and crop)
     */
    public static BufferedImage projectionFigure(ExampleSearchResult r, Unit u, List<INDArray> projections,
            InputSpec spec, int cell) {
        List<BufferedImage> imgs = new ArrayList<>();
        List<String> caps = new ArrayList<>();
        List<Hit> hits = r.top(u);
        for (int i = 0; i < hits.size(); i++) {
            imgs.add(projectionImage(projections.get(i)));
            caps.add(String.format(Locale.ROOT, "a=%.3g", hits.get(i).value()));
            imgs.add(Heatmaps.inputImage(hits.get(i).crop(), spec));
            caps.add("#" + hits.get(i).index());
        }
        return Heatmaps.grid(imgs, caps, 6, cell);
    }

    /** Displays a signed projection as an image: scaled symmetrically around mid-grey, channels as colours. */
    static BufferedImage projectionImage(INDArray chw) {
        double s = chw.amaxNumber().doubleValue();
        INDArray shown = s > 0 ? chw.div(2 * s).addi(0.5) : Nd4j.zerosLike(chw).addi(0.5);
        return Heatmaps.inputImage(shown, InputSpec.builder().shape(chw.size(0), chw.size(1), chw.size(2)).build());
    }
}
