package org.deeplearning4j.interpret.listener;

import org.deeplearning4j.interpret.featurevis.FeatureVisResult;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.render.FeatureVisImages;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Feature visualizations of some channels of a layer: one image per channel and the images as one array. */
final class FeatureVisJob implements SnapshotJob {
    private final String layer;
    private final int[] channels;
    private final FeatureVisualization fv;

    FeatureVisJob(String layer, int[] channels, FeatureVisualization fv) {
        this.layer = layer;
        this.channels = channels.clone();
        this.fv = fv;
    }

    @Override
    public String name() {
        return "feature visualization " + layer;
    }

    @Override
    public Output run(InterpretableModel m, INDArray probes) {
        FeatureVisResult r = fv.channels(m, layer, channels);
        String slug = InterpretationListener.slug(layer);
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < channels.length; i++) {
            frames.add(SnapshotJob.frame(layer + " channel " + channels[i], FeatureVisImages.image(r, i), "",
                    slug + "-channel" + channels[i] + ".png"));
        }
        return new Output(frames, Map.of(slug + "-featurevis.npy", r.images()));
    }
}
