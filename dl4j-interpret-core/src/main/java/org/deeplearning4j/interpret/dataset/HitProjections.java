package org.deeplearning4j.interpret.dataset;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.DeconvProjection;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.ReceptiveField;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * Deconvnet projections of a unit's top dataset examples, for the classic Zeiler-Fergus figure. Each projection is
 * computed on an image that holds the hit's crop at its original place and mid-grey elsewhere: the unit depends only
 * on its receptive field, so its activation and projection are exactly those of the original image, and only the
 * crops need to be kept by the search.
 */
public final class HitProjections {
    private HitProjections() {
    }

    /**
     * @param model the model
     * @param r search result
     * @param u unit
     * @return one projection per top hit, cropped to the hit's field, {@code [C, h, w]}
     */
    public static List<INDArray> top(InterpretableModel model, ExampleSearchResult r, Unit u) {
        InputSpec spec = model.inputSpec();
        DeconvProjection dp = DeconvProjection.of(model);
        List<INDArray> out = new ArrayList<>();
        for (Hit h : r.top(u)) {
            ReceptiveField f = h.field();
            INDArray canvas = Nd4j.create(model.dataType(), 1, spec.channels(), spec.height(), spec.width());
            for (int c = 0; c < spec.channels(); c++) {
                canvas.get(NDArrayIndex.point(0), NDArrayIndex.point(c)).assign(spec.greyValue(c));
            }
            canvas.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(f.top(), f.top() + f.height()),
                    NDArrayIndex.interval(f.left(), f.left() + f.width())).assign(h.crop());
            // every hit records the unit position its value came from (the neuron, or the channel's arg-max)
            AttributionResult p = dp.project(canvas, u.layer(), u.channel(), h.y(), h.x());
            out.add(p.attributions().get(NDArrayIndex.point(0), NDArrayIndex.all(),
                    NDArrayIndex.interval(f.top(), f.top() + f.height()),
                    NDArrayIndex.interval(f.left(), f.left() + f.width())).dup());
        }
        return out;
    }
}
