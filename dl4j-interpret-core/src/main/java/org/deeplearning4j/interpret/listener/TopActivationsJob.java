package org.deeplearning4j.interpret.listener;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.render.Heatmaps;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The probes that activate some channels of a layer most (channel means), as a grid per channel. */
final class TopActivationsJob implements SnapshotJob {
    private static final int THUMB = 48;
    private final String layer;
    private final int[] channels;
    private final int k;

    TopActivationsJob(String layer, int[] channels, int k) {
        this.layer = layer;
        this.channels = channels.clone();
        this.k = k;
    }

    @Override
    public String name() {
        return "top activations " + layer;
    }

    @Override
    public Output run(InterpretableModel m, INDArray probes) {
        INDArray a = m.activations(probes, layer).get(layer);
        INDArray means = a.rank() == 4 ? a.mean(2, 3) : a;
        String slug = InterpretationListener.slug(layer);
        List<Frame> frames = new ArrayList<>();
        for (int c : channels) {
            double[] v = means.getColumn(c).toDoubleVector();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < v.length; i++) {
                order.add(i);
            }
            order.sort((x, y) -> Double.compare(v[y], v[x]));
            List<BufferedImage> imgs = new ArrayList<>();
            List<String> caps = new ArrayList<>();
            for (int i : order.subList(0, Math.min(k, order.size()))) {
                imgs.add(Heatmaps.inputImage(probes.slice(i), m.inputSpec()));
                caps.add(String.format(Locale.ROOT, "#%d %.3g", i, v[i]));
            }
            frames.add(SnapshotJob.frame(layer + " channel " + c + ": top probes",
                    Heatmaps.grid(imgs, caps, imgs.size(), THUMB), "", slug + "-channel" + c + "-top.png"));
        }
        return new Output(frames, Map.of(slug + "-channel-means.npy", means));
    }
}
