package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The correct, slower execution path: a manual forward/backward over DL4J's own vertices on private analysis copies
 * of the network. It works for every layer type DL4J can backpropagate through, and fixes DL4J's two interpretation
 * traps: BatchNormalization backward uses the inference rule {@code eps * gamma / sqrt(var + eps)} (DL4J's own uses
 * batch statistics), and dropout is stripped from the copies (DL4J applies it during backprop).
 */
public final class LayerLoopEngine implements GradientEngine {
    private final ComputationGraphConfiguration conf;
    private final INDArray params;
    private final String outputVertex;
    private final List<String> unsupported;
    private final Map<ReluRule, ComputationGraph> shadows = new EnumMap<>(ReluRule.class);
    /**
     * Inputs of the layers that DL4J overwrites in place during the forward pass (ActivationLayer, PReLULayer) and
     * whose backward pass reads them: kept per analysis copy for the call in progress (calls on one copy are
     * serialised on it).
     */
    private final Map<ComputationGraph, Map<String, INDArray>> pristineInputs =
            java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    /**
     * @param conf the network configuration (not modified; cloned per analysis copy)
     * @param params the network's flattened parameter array, shared by the copies
     * @param outputVertex the name of the output layer, exposed as logits
     * @param unsupported layers that the fast path could not run, reported by {@link #unsupportedLayers()}
     */
    public LayerLoopEngine(ComputationGraphConfiguration conf, INDArray params, String outputVertex,
            List<String> unsupported) {
        this.conf = conf;
        this.params = params;
        this.outputVertex = outputVertex;
        this.unsupported = List.copyOf(unsupported);
    }

    private synchronized ComputationGraph shadow(ReluRule rule) {
        return shadows.computeIfAbsent(rule, r -> AnalysisCopies.build(conf, params, outputVertex, r));
    }

    @Override
    public String name() {
        return "dl4j-layers";
    }

    @Override
    public List<String> unsupportedLayers() {
        return unsupported;
    }

    @Override
    public Map<String, INDArray> forward(INDArray input, Collection<String> layers) {
        return forward(input, layers, null, null);
    }

    @Override
    public Map<String, INDArray> forward(INDArray input, Collection<String> layers, String overrideLayer,
            INDArray override) {
        ComputationGraph g = shadow(ReluRule.NORMAL);
        synchronized (g) {
            Map<String, INDArray> acts = runForward(g, input, new HashSet<>(layers), overrideLayer, override);
            Map<String, INDArray> out = new HashMap<>();
            for (String l : layers) {
                out.put(l, acts.get(l));
            }
            clear(g);
            return out;
        }
    }

    @Override
    public InputPass inputGradient(INDArray input, List<Seed> seeds, ReluRule rule) {
        ComputationGraph g = shadow(rule);
        synchronized (g) {
            Set<String> layers = new HashSet<>();
            seeds.forEach(s -> layers.add(s.layer()));
            Map<String, INDArray> acts = runForward(g, input, layers, null, null);
            List<String> seeded = new java.util.ArrayList<>();
            List<INDArray> full = new java.util.ArrayList<>();
            for (Seed s : seeds) {
                seeded.add(s.layer());
                full.add(s.affine() ? acts.get(s.layer()).mul(s.scale()).addi(s.offset()) : s.offset());
            }
            INDArray grad = runBackward(g, seeded, full, null);
            clear(g);
            Map<String, INDArray> ordered = new java.util.LinkedHashMap<>();
            seeded.forEach(l -> ordered.put(l, acts.get(l)));
            return new InputPass(ordered, grad);
        }
    }

    @Override
    public LayerPass layerGradient(INDArray input, String layer, INDArray seed, String wrtLayer, INDArray override,
            ReluRule rule) {
        ComputationGraph g = shadow(rule);
        synchronized (g) {
            Map<String, INDArray> acts = runForward(g, input, new HashSet<>(List.of(layer, wrtLayer)),
                    override == null ? null : wrtLayer, override);
            INDArray grad = runBackward(g, List.of(layer), List.of(seed), wrtLayer);
            clear(g);
            if (grad == null) {
                grad = Nd4j.zerosLike(acts.get(wrtLayer));
            }
            return new LayerPass(acts.get(layer), acts.get(wrtLayer), grad);
        }
    }

    private Map<String, INDArray> runForward(ComputationGraph g, INDArray x, Set<String> keep,
            String overrideLayer, INDArray override) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        Map<String, INDArray> saved = new HashMap<>();
        pristineInputs.put(g, saved);
        g.setInputs(x);
        Map<String, INDArray> kept = new HashMap<>();
        GraphVertex[] vs = g.getVertices();
        for (int idx : g.topologicalSortOrder()) {
            GraphVertex v = vs[idx];
            INDArray out = v.isInputVertex() ? x : v.doForward(false, mgr);
            if (v.getVertexName().equals(overrideLayer)) {
                out = override.dup();
            }
            if (keep.contains(v.getVertexName())) {
                kept.put(v.getVertexName(), out.dup());
            }
            VertexIndices[] outs = v.getOutputVertices();
            if (outs == null) {
                continue;
            }
            for (VertexIndices o : outs) {
                GraphVertex target = vs[o.getVertexIndex()];
                // Some DL4J layers apply their function to their input in place (ActivationLayer at inference,
                // PReLULayer always), which would corrupt other consumers of this output, the kept activations and
                // the input that the layer's own backward pass reads: every layer gets its own copy.
                INDArray in = target.hasLayer() ? out.dup() : out;
                if (readsOwnInputBackward(g, target)) {
                    saved.put(target.getVertexName(), out.dup());
                }
                target.setInput(o.getVertexEdgeNumber(), in, mgr);
            }
        }
        return kept;
    }

    /** @return the gradient at {@code stopAt} (the input if null); null if the target does not depend on it */
    private INDArray runBackward(ComputationGraph g, List<String> layers, List<INDArray> seeds, String stopAt) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        if (g.getGradientsViewArray() == null) {
            g.initGradientsView();
        }
        GraphVertex[] vs = g.getVertices();
        INDArray[] eps = new INDArray[vs.length];
        for (int i = 0; i < layers.size(); i++) {
            int idx = g.getVertex(layers.get(i)).getVertexIndex();
            eps[idx] = eps[idx] == null ? seeds.get(i).dup() : eps[idx].addi(seeds.get(i));
        }
        int[] topo = g.topologicalSortOrder();
        INDArray result = null;
        for (int k = topo.length - 1; k >= 0; k--) {
            GraphVertex v = vs[topo[k]];
            INDArray e = eps[v.getVertexIndex()];
            if (e == null) {
                continue;
            }
            if (v.getVertexName().equals(stopAt)) {
                return e;
            }
            if (v.isInputVertex()) {
                result = e;
                continue;
            }
            INDArray[] in = backwardOne(g, v, e, mgr);
            VertexIndices[] src = v.getInputVertices();
            for (int j = 0; j < src.length; j++) {
                if (in[j] == null) {
                    continue;
                }
                int s = src[j].getVertexIndex();
                eps[s] = eps[s] == null ? in[j].dup() : eps[s].addi(in[j]);
            }
        }
        if (result == null && stopAt == null) {
            return Nd4j.zeros(g.getInputs()[0].dataType(), g.getInputs()[0].shape());
        }
        return stopAt == null ? result : null;
    }

    private INDArray[] backwardOne(ComputationGraph g, GraphVertex v, INDArray e, LayerWorkspaceMgr mgr) {
        // the analysis copy's configuration (with its rule activations); a frozen layer's instance would report the
        // configuration of the layer it wraps
        org.deeplearning4j.nn.conf.graph.GraphVertex cv = g.getConfiguration().getVertices().get(v.getVertexName());
        if (v.hasLayer()) {
            Layer l = v.getLayer();
            org.deeplearning4j.nn.conf.layers.Layer c = ((org.deeplearning4j.nn.conf.graph.LayerVertex) cv)
                    .getLayerConf().getLayer();
            LayerRules<org.deeplearning4j.nn.conf.layers.Layer> rules = LayerRegistry.rules(c);
            Map<String, INDArray> kept = pristineInputs.get(g);
            INDArray ei = rules == null ? null
                    : rules.loopBackward(l, c, kept == null ? null : kept.get(v.getVertexName()), e);
            if (ei != null) {
                return new INDArray[] {preprocessorBackprop(v, ei, mgr)};
            }
        } else {
            if (cv instanceof ElementWiseVertex && ((ElementWiseVertex) cv).getOp() == ElementWiseVertex.Op.Max) {
                return MaxRules.elementWise(v.getInputs(), e);
            }
        }
        v.setEpsilon(e);
        return v.doBackward(false, mgr).getSecond();
    }

    private static INDArray preprocessorBackprop(GraphVertex v, INDArray e, LayerWorkspaceMgr mgr) {
        InputPreProcessor pp = v instanceof LayerVertex ? ((LayerVertex) v).getLayerPreProcessor() : null;
        return pp == null ? e : pp.backprop(e, (int) e.size(0), mgr);
    }

    /** @return whether the vertex's layer overwrites its input in its forward pass (its input is kept) */
    private static boolean readsOwnInputBackward(ComputationGraph g, GraphVertex v) {
        org.deeplearning4j.nn.conf.graph.GraphVertex cv = g.getConfiguration().getVertices().get(v.getVertexName());
        if (!(cv instanceof org.deeplearning4j.nn.conf.graph.LayerVertex)) {
            return false;
        }
        LayerRules<?> rules = LayerRegistry.rules(((org.deeplearning4j.nn.conf.graph.LayerVertex) cv).getLayerConf()
                .getLayer());
        return rules != null && rules.overwritesInput();
    }

    private void clear(ComputationGraph g) {
        pristineInputs.remove(g);
        for (GraphVertex v : g.getVertices()) {
            v.clear();
        }
    }
}
