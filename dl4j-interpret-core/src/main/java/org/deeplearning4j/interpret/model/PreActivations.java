package org.deeplearning4j.interpret.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exposes the pre-activation output of every convolution and dense layer with a fused activation (DL4J layers
 * usually carry their ReLU inside, so the layer's output is post-ReLU): the analysed configuration splits such a
 * layer {@code conv3} into {@code conv3#pre} (the same layer with the identity activation, the same parameters) and
 * an activation layer {@code conv3} with the original activation. Forward and backward are unchanged (the activation
 * is applied by the same function in both), {@code conv3} keeps its meaning, and {@code conv3#pre} is the hook
 * Captum users put on a convolution module (Grad-CAM's paper uses it).
 *
 * <p>The split must not move any parameter: DL4J lays the flattened parameters out in topological order, so the split
 * is kept only if its parameter layers come in the same order with the same sizes (checked here); otherwise the
 * configuration is analysed as it is and no {@code #pre} layers exist.
 */
final class PreActivations {
    /** Suffix of a pre-activation layer's name. */
    static final String SUFFIX = org.deeplearning4j.interpret.internal.engine.RuleWalker.PRE_ACTIVATION_SUFFIX;
    private static final Logger log = LoggerFactory.getLogger(PreActivations.class);

    private PreActivations() {
    }

    /**
     * @param conf the network's configuration (not modified)
     * @param output the output layer (never split: it is exposed as logits already)
     * @return the configuration with fused activations split out, or {@code conf} itself when nothing is split
     */
    static ComputationGraphConfiguration split(ComputationGraphConfiguration conf, String output) {
        ComputationGraphConfiguration c = conf.clone();
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        Map<String, String> renamed = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : c.getVertices().entrySet()) {
            String name = e.getKey();
            List<String> in = c.getVertexInputs().get(name);
            IActivation act = fused(e.getValue(), name, output);
            if (act == null || c.getVertices().containsKey(name + SUFFIX)) {
                vertices.put(name, e.getValue());
                if (in != null) {
                    inputs.put(name, in);
                }
                continue;
            }
            LayerVertex lv = (LayerVertex) e.getValue();
            NeuralNetConfiguration pre = lv.getLayerConf().clone();
            ((BaseLayer) pre.getLayer()).setActivationFn(new ActivationIdentity());
            pre.getLayer().setLayerName(name + SUFFIX);
            NeuralNetConfiguration post = lv.getLayerConf().clone();
            ActivationLayer al = new ActivationLayer.Builder().activation(act).build();
            al.setLayerName(name);
            post.setLayer(al);
            vertices.put(name + SUFFIX, new LayerVertex(pre, lv.getPreProcessor()));
            inputs.put(name + SUFFIX, in);
            vertices.put(name, new LayerVertex(post, null));
            inputs.put(name, new ArrayList<>(List.of(name + SUFFIX)));
            renamed.put(name + SUFFIX, name);
        }
        if (renamed.isEmpty()) {
            return conf;
        }
        c.getVertices().clear();
        c.getVertices().putAll(vertices);
        c.getVertexInputs().clear();
        c.getVertexInputs().putAll(inputs);
        // the clone carries the original's cached topological order, whose indices no longer fit
        c.setTopologicalOrder(null);
        c.setTopologicalOrderStr(null);
        if (!sameParameterLayout(conf, c, renamed)) {
            log.debug("Pre-activation layers are not available for this network: splitting its fused activations "
                    + "would reorder its parameters");
            return conf;
        }
        return c;
    }

    /** @return the fused non-identity activation of a convolution or dense layer, else null */
    private static IActivation fused(GraphVertex v, String name, String output) {
        if (name.equals(output) || !(v instanceof LayerVertex)) {
            return null;
        }
        org.deeplearning4j.nn.conf.layers.Layer l = ((LayerVertex) v).getLayerConf().getLayer();
        if (!(l instanceof ConvolutionLayer || l.getClass() == DenseLayer.class)) {
            return null;
        }
        IActivation a = ((BaseLayer) l).getActivationFn();
        return a == null || a instanceof ActivationIdentity ? null : a;
    }

    private static boolean sameParameterLayout(ComputationGraphConfiguration a, ComputationGraphConfiguration b,
            Map<String, String> renamed) {
        List<String> pa = parameterLayers(a, Map.of());
        List<String> pb = parameterLayers(b, renamed);
        return pa.equals(pb);
    }

    /** @return "name:numParams" of every layer with parameters, in DL4J's parameter order */
    private static List<String> parameterLayers(ComputationGraphConfiguration conf, Map<String, String> renamed) {
        // the order in which ComputationGraph.init() lays out the parameters, without allocating them
        org.deeplearning4j.nn.graph.util.GraphIndices idx = new ComputationGraph(conf).calculateIndices();
        List<String> out = new ArrayList<>();
        for (int i : idx.getTopologicalSortOrder()) {
            String name = idx.getIdxToName().get(i);
            GraphVertex v = conf.getVertices().get(name);
            long n = v == null ? 0 : v.numParams(true);
            if (n > 0) {
                out.add(renamed.getOrDefault(name, name) + ":" + n);
            }
        }
        return out;
    }
}
