package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

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
                if (readsOwnInputBackward(target)) {
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
        Layer l = v.hasLayer() ? v.getLayer() : null;
        if (l instanceof BaseOutputLayer) {
            // DL4J's output layers ignore the incoming epsilon; logits = in W + b, so d/d in = e W^T.
            INDArray ei = e.mmul(l.getParam("W").transpose());
            return new INDArray[] {preprocessorBackprop(v, ei, mgr)};
        }
        if (l instanceof org.deeplearning4j.nn.layers.LossLayer) {
            return new INDArray[] {preprocessorBackprop(v, e.dup(), mgr)};
        }
        if (l instanceof BatchNormalization) {
            return new INDArray[] {preprocessorBackprop(v, batchNormBackward((BatchNormalization) l, e), mgr)};
        }
        INDArray x = pristineInputs.get(g).get(v.getVertexName());
        if (l instanceof org.deeplearning4j.nn.layers.ActivationLayer) {
            // DL4J's own backward reads the input it overwrote with the activation (wrong for all but ReLU)
            IActivation act = ((org.deeplearning4j.nn.conf.layers.ActivationLayer) l.conf().getLayer())
                    .getActivationFn();
            return new INDArray[] {preprocessorBackprop(v, act.backprop(x.dup(), e.dup()).getFirst(), mgr)};
        }
        if (l instanceof org.deeplearning4j.nn.layers.feedforward.PReLU) {
            INDArray alpha = l.getParam("W");
            long[] as = new long[alpha.rank() + 1];
            as[0] = 1;
            System.arraycopy(alpha.shape(), 0, as, 1, alpha.rank());
            INDArray active = x.gt(0.0).castTo(x.dataType());
            INDArray slope = active.add(active.rsub(1.0).muli(alpha.reshape(as).broadcast(x.shape())));
            return new INDArray[] {preprocessorBackprop(v, e.mul(slope), mgr)};
        }
        if (l instanceof org.deeplearning4j.nn.layers.FrozenLayer
                || l instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) {
            // DL4J's FrozenLayer returns no input gradient at all, and FrozenLayerWithBackprop needs gradient views
            // that analysis copies do not give it; the inside layer computes the input gradient itself
            Layer inside = l instanceof org.deeplearning4j.nn.layers.FrozenLayer
                    ? ((org.deeplearning4j.nn.layers.FrozenLayer) l).getInsideLayer()
                    : ((org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) l).getInsideLayer();
            if (inside.getGradientsViewArray() == null && inside.numParams() > 0) {
                inside.setBackpropGradientsViewArray(Nd4j.create(e.dataType(), 1, inside.numParams()));
            }
            return new INDArray[] {preprocessorBackprop(v, inside.backpropGradient(e, mgr).getSecond(), mgr)};
        }
        INDArray[] maxima = maxBackward(v, l, e);
        if (maxima != null) {
            maxima[0] = l == null ? maxima[0] : preprocessorBackprop(v, maxima[0], mgr);
            return maxima;
        }
        v.setEpsilon(e);
        return v.doBackward(false, mgr).getSecond();
    }

    /** Max pooling, global max pooling and max vertices follow {@link MaxRules}; null for every other vertex. */
    private INDArray[] maxBackward(GraphVertex v, Layer l, INDArray e) {
        if (l != null && l.conf().getLayer() instanceof SubsamplingLayer) {
            SubsamplingLayer c = (SubsamplingLayer) l.conf().getLayer();
            if (c.getPoolingType() != PoolingType.MAX) {
                return null;
            }
            MaxRules.Window win = new MaxRules.Window(c.getKernelSize(), c.getStride(), c.getPadding(),
                    c.getDilation(), c.getConvolutionMode() == ConvolutionMode.Same);
            return new INDArray[] {MaxRules.pool(l.input(), e, win)};
        }
        if (l != null && l.conf().getLayer() instanceof GlobalPoolingLayer) {
            GlobalPoolingLayer c = (GlobalPoolingLayer) l.conf().getLayer();
            INDArray x = l.input();
            if (c.getPoolingType() != PoolingType.MAX || x.rank() != 4) {
                return null;
            }
            int[] dims = c.getPoolingDimensions() == null ? new int[] {2, 3} : c.getPoolingDimensions();
            long[] kept = x.shape().clone();
            for (int d : dims) {
                kept[d] = 1;
            }
            return new INDArray[] {MaxRules.global(x, e.reshape(kept), dims)};
        }
        org.deeplearning4j.nn.conf.graph.GraphVertex cv = conf.getVertices().get(v.getVertexName());
        if (cv instanceof ElementWiseVertex && ((ElementWiseVertex) cv).getOp() == ElementWiseVertex.Op.Max) {
            return MaxRules.elementWise(v.getInputs(), e);
        }
        return null;
    }

    private static INDArray preprocessorBackprop(GraphVertex v, INDArray e, LayerWorkspaceMgr mgr) {
        InputPreProcessor pp = v instanceof LayerVertex ? ((LayerVertex) v).getLayerPreProcessor() : null;
        return pp == null ? e : pp.backprop(e, (int) e.size(0), mgr);
    }

    /** Inference-mode BN backward: {@code eps * gamma / sqrt(var + eps)} per channel (DL4J's BN has no activation). */
    static INDArray batchNormBackward(BatchNormalization l, INDArray e) {
        org.deeplearning4j.nn.conf.layers.BatchNormalization c =
                (org.deeplearning4j.nn.conf.layers.BatchNormalization) l.conf().getLayer();
        INDArray std = Transforms.sqrt(variance(l, c).addi(c.getEps()), false);
        INDArray gamma = c.isLockGammaBeta()
                ? Nd4j.valueArrayOf(std.shape(), lockedGamma(c), std.dataType())
                : l.getParam(BatchNormalizationParamInitializer.GAMMA);
        long channels = std.length();
        long[] bshape = e.rank() == 4 ? new long[] {1, channels, 1, 1} : new long[] {1, channels};
        return e.mul(gamma.reshape(bshape).div(std.reshape(bshape)));
    }

    /** DL4J applies locked gamma/beta only when gamma != 1 and beta != 0 (M2.1 behaviour, mirrored exactly). */
    static double lockedGamma(org.deeplearning4j.nn.conf.layers.BatchNormalization c) {
        return c.getGamma() != 1.0 && c.getBeta() != 0.0 ? c.getGamma() : 1.0;
    }

    /** @see #lockedGamma */
    static double lockedBeta(org.deeplearning4j.nn.conf.layers.BatchNormalization c) {
        return c.getGamma() != 1.0 && c.getBeta() != 0.0 ? c.getBeta() : 0.0;
    }

    static INDArray variance(BatchNormalization l,
            org.deeplearning4j.nn.conf.layers.BatchNormalization c) {
        if (c.isUseLogStd()) {
            INDArray log10s = l.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            INDArray s = Transforms.pow(Nd4j.valueArrayOf(log10s.shape(), 10.0, log10s.dataType()), log10s, false);
            return s.muli(s);
        }
        return l.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).dup();
    }

    private static boolean readsOwnInputBackward(GraphVertex v) {
        return v.hasLayer() && (v.getLayer() instanceof org.deeplearning4j.nn.layers.ActivationLayer
                || v.getLayer() instanceof org.deeplearning4j.nn.layers.feedforward.PReLU);
    }

    private void clear(ComputationGraph g) {
        pristineInputs.remove(g);
        for (GraphVertex v : g.getVertices()) {
            v.clear();
        }
    }
}
