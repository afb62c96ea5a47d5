package org.deeplearning4j.interpret.examples;

import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.dataset.ExampleSearch;
import org.deeplearning4j.interpret.dataset.ExampleSearchResult;
import org.deeplearning4j.interpret.dataset.HitProjections;
import org.deeplearning4j.interpret.dataset.Unit;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.render.ExampleGrids;
import org.deeplearning4j.interpret.render.Heatmaps;
import org.deeplearning4j.interpret.render.HtmlReport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.File;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What real inputs drive each channel of the small CNN's last convolutional layer? Trains the CNN on synthetic
 * shapes, streams 2000 held-out images once, keeps the top 9 crops per channel (the crop each unit sees), and writes
 * per-channel grids and Zeiler-Fergus figures (deconvnet projection beside each crop) to PNGs and an HTML report.
 *
 * <pre>mvn -pl dl4j-interpret-examples exec:exec -Dexample=org.deeplearning4j.interpret.examples.DatasetExamples</pre>
 */
public final class DatasetExamples {
    private static final Logger log = LoggerFactory.getLogger(DatasetExamples.class);
    private static final int SIZE = 32;
    private static final int SEARCHED = 2000;
    private static final int BATCH = 50;
    private static final int CELL = 64;
    private static final int FIGURES = 6;

    private DatasetExamples() {
    }

    /** @param args optional output folder */
    public static void main(String[] args) throws Exception {
        File out = new File(args.length > 0 && !args[0].endsWith("quickstart") ? args[0]
                : "interpret-output/dataset-examples");
        MultiLayerNetwork net = ShapesCnn.build(SIZE, 7);
        ShapesCnn.train(net, SyntheticShapes.builder().size(SIZE).seed(1).build().generate(4000), 3, 3);
        InterpretableModel model = Models.builder(net).inputSpec(InputSpec.builder().shape(3, SIZE, SIZE).build())
                .build();
        INDArray data = SyntheticShapes.builder().size(SIZE).seed(99).build().generate(SEARCHED).features();
        List<INDArray> batches = new ArrayList<>();
        for (int i = 0; i < SEARCHED; i += BATCH) {
            batches.add(data.get(NDArrayIndex.interval(i, i + BATCH)));
        }
        Iterator<INDArray> it = batches.iterator();
        ExampleSearchResult r = ExampleSearch.builder(model).channels("relu3").k(9).bottom(true).randomSample(9)
                .build().search(it);
        r.save(new File(out, "relu3-search.bin"));
        HtmlReport.Builder report = HtmlReport.builder("What drives each channel of relu3?")
                .section("Method", "Top 9 of " + SEARCHED + " held-out images per channel (channel maximum), each "
                        + "cropped to the receptive field of the maximal unit (18x18 pixels, clipped at the border). "
                        + "Several examples per channel, never one.");
        int shown = 0;
        for (Unit u : r.units()) {
            BufferedImage grid = ExampleGrids.topGrid(r, u, model.inputSpec(), CELL);
            Heatmaps.writePng(grid, new File(out, "relu3_" + u.channel() + "_top9.png"));
            report.image(grid, "relu3 channel " + u.channel());
            if (shown++ < FIGURES) {
                BufferedImage fig = ExampleGrids.projectionFigure(r, u, HitProjections.top(model, r, u),
                        model.inputSpec(), CELL);
                Heatmaps.writePng(fig, new File(out, "relu3_" + u.channel() + "_deconv.png"));
            }
        }
        report.section("Zeiler-Fergus figures", "Deconvnet projection of each top activation beside its crop.");
        for (Unit u : new ArrayList<>(r.units()).subList(0, FIGURES)) {
            report.image(javax.imageio.ImageIO.read(new File(out, "relu3_" + u.channel() + "_deconv.png")),
                    "relu3 channel " + u.channel());
        }
        File html = new File(out, "report.html");
        report.build().write(html);
        log.info("Wrote {} channel grids, {} deconvnet figures and the search result to {}", r.units().size(), FIGURES,
                out.getAbsolutePath());
        log.info("Open {} in a browser", html.getAbsolutePath());
    }
}
