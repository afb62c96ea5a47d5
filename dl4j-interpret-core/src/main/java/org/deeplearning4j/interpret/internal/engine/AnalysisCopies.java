package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.LayerCatalogue;
import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Builds private analysis copies of a network that share its parameter array (no copy: in-place training updates
 * are seen at once), with dropout and weight noise stripped, the output activation replaced by identity (so the
 * output exposes logits) and ReLUs given a {@link ReluRule}.
 */
public final class AnalysisCopies {
    private AnalysisCopies() {
    }

    /**
     * @param original the network configuration (not modified)
     * @param params the flattened parameters to share
     * @param outputVertex the output layer, exposed as logits
     * @return an analysis copy with the true ReLU derivative
     */
    public static ComputationGraph normal(ComputationGraphConfiguration original, INDArray params,
            String outputVertex) {
        return build(original, params, outputVertex, ReluRule.NORMAL);
    }

    static ComputationGraph build(ComputationGraphConfiguration original, INDArray params, String outputVertex,
            ReluRule rule) {
        ComputationGraphConfiguration conf = original.clone();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex)) {
                continue;
            }
            Layer layer = LayerCatalogue.unwrapFrozen(((LayerVertex) e.getValue()).getLayerConf().getLayer());
            layer.setIDropout(null);
            if (layer instanceof BaseLayer) {
                BaseLayer bl = (BaseLayer) layer;
                bl.setWeightNoise(null);
                boolean isOutput = e.getKey().equals(outputVertex);
                if (isOutput && (bl instanceof BaseOutputLayer || bl.getActivationFn() instanceof ActivationSoftmax)) {
                    bl.setActivationFn(new ActivationIdentity());
                } else {
                    bl.setActivationFn(swap(bl.getActivationFn(), rule));
                }
            } else if (layer instanceof ActivationLayer) {
                ActivationLayer al = (ActivationLayer) layer;
                al.setActivationFn(swap(al.getActivationFn(), rule));
            }
        }
        ComputationGraph g = new ComputationGraph(conf);
        g.init(params, false);
        return g;
    }

    private static IActivation swap(IActivation a, ReluRule rule) {
        return ActivationRules.withRule(a, rule);
    }
}
