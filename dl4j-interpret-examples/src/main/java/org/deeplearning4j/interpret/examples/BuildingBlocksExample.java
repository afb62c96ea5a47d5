package org.deeplearning4j.interpret.examples;

import org.deeplearning4j.interpret.blocks.BuildingBlocks;
import org.deeplearning4j.interpret.blocks.BuildingBlocksResult;
import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.render.BuildingBlocksPage;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;

/**
 * The Building Blocks interface for the small CNN: trains it on synthetic shapes, then for three held-out images
 * writes one interactive page each (activation grid of relu3, semantic dictionaries, spatial and channel attribution
 * of the predicted class, three neuron groups). Open the HTML files in a browser; no server or network needed.
 *
 * <pre>mvn -pl dl4j-interpret-examples exec:exec -Dexample=org.deeplearning4j.interpret.examples.BuildingBlocksExample</pre>
 */
public final class BuildingBlocksExample {
    private static final Logger log = LoggerFactory.getLogger(BuildingBlocksExample.class);
    private static final int SIZE = 32;

    private BuildingBlocksExample() {
    }

    /** @param args optional output folder */
    public static void main(String[] args) throws Exception {
        File out = new File(args.length > 0 && !args[0].endsWith("quickstart") ? args[0]
                : "interpret-output/building-blocks");
        MultiLayerNetwork net = ShapesCnn.build(SIZE, 7);
        ShapesCnn.train(net, SyntheticShapes.builder().size(SIZE).seed(1).build().generate(4000), 3, 3);
        InterpretableModel model = Models.builder(net).inputSpec(InputSpec.builder().shape(3, SIZE, SIZE).build())
                .build();
        BuildingBlocks blocks = BuildingBlocks.builder(model, "relu3").groups(3).seed(1).build();
        INDArray images = SyntheticShapes.builder().size(SIZE).seed(99).build().generate(3).features();
        for (int i = 0; i < images.size(0); i++) {
            BuildingBlocksResult r = blocks.explain(images.get(NDArrayIndex.interval(i, i + 1)));
            File page = new File(out, "image" + i + "-relu3.html");
            BuildingBlocksPage.write(r, page);
            log.info("Wrote {} ({} = {})", page.getAbsolutePath(), r.target(), String.format("%.3f", r.targetValue()));
        }
    }
}
