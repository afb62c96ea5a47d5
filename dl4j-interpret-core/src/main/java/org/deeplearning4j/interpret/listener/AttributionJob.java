package org.deeplearning4j.interpret.listener;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.render.Heatmaps;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** An attribution method's maps of every probe: an overlay per probe and the maps as one array. */
final class AttributionJob implements SnapshotJob {
    private final String name;
    private final Function<InterpretableModel, Attribution> method;
    private final Target target;
    private final int cell;

    AttributionJob(String name, Function<InterpretableModel, Attribution> method, Target target, int cell) {
        this.name = name;
        this.method = method;
        this.target = target;
        this.cell = cell;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Output run(InterpretableModel m, INDArray probes) {
        AttributionResult r = method.apply(m).attribute(probes, target);
        String slug = InterpretationListener.slug(name);
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < probes.size(0); i++) {
            BufferedImage input = Heatmaps.inputImage(probes.slice(i), m.inputSpec());
            frames.add(SnapshotJob.frame(name + ", probe " + i, Heatmaps.overlayFigure(input, r, i, "", cell),
                    String.format(Locale.ROOT, "%s = %.3g", r.target(), r.targetValues().getDouble(i)),
                    slug + "-probe" + i + ".png"));
        }
        return new Output(frames, Map.of(slug + "-maps.npy", r.map()));
    }
}
