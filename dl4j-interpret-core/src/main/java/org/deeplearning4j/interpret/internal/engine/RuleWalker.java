package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.gradient.LrpRule;
import org.deeplearning4j.interpret.gradient.LayerCatalogue;
import org.deeplearning4j.interpret.gradient.LrpComposite;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rule-based backward passes over a DL4J network's own layers: layer-wise relevance propagation with an
 * {@link LrpComposite}, DeepLIFT's Rescale rule and its RevealCancel rule against a reference input. Each walks the
 * analysis copy's vertices in reverse topological order and applies one rule per vertex: a layer's rule is in its
 * {@link LayerRules} (found through {@link LayerRegistry}), which sees the walk through a {@link LayerRules.WalkStep};
 * the vertices without layers (element-wise sums, differences and averages, merges, preprocessors) have theirs
 * here. A vertex without a rule is refused before any work, naming it. The walker reads the network's parameters and
 * never writes them: rules that change weights (gamma, alpha-beta, z+, z^B, flat, w-square, folded batch
 * normalization) run on private single-layer copies with their own parameter arrays ({@link Linear}).
 *
 * <p>DeepLIFT's Rescale rule uses {@code (f(z) - f(z0)) / (z - z0)}, or {@code f'(z)} where {@code z - z0} is within
 * rounding of zero (below 1e-7, or below 1e-5 of the values in FP32, 1e-12 in FP64). At maxima DeepLIFT passes
 * multipliers as the gradient at the input (DeepLIFT's own choice; exact where a window's maximum sits at the same
 * place for the input and the reference, else the remainder shows in the convergence gap). Captum's alternative,
 * dividing half of {@code m * (y - y0)} by each maximum's own change, is not used: an element that barely changed
 * gets a multiplier of thousands (measured on VGG16: a gap of 5e7 on a change of 1e3). Vertices without layers only
 * move or add values: LRP-epsilon with the stabiliser only, gradients for DeepLIFT.
 */
public final class RuleWalker {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RuleWalker.class);
    /**
     * Suffix of the pre-activation half of a layer with a fused activation in an analysis copy; composites name the
     * layer without it.
     */
    public static final String PRE_ACTIVATION_SUFFIX = "#pre";

    /** @return the name users know a vertex of the analysis copy by */
    private static String userName(String vertex) {
        return vertex.endsWith(PRE_ACTIVATION_SUFFIX)
                ? vertex.substring(0, vertex.length() - PRE_ACTIVATION_SUFFIX.length()) : vertex;
    }

    private final ComputationGraph g;
    private final SameDiffMirror fastPath;
    private final ComputationGraphConfiguration conf;
    private final String outputVertex;
    private final Map<String, Layer> privateLayers = new HashMap<>();
    private final Map<String, java.util.Optional<ConvOps>> convOps = new HashMap<>();
    private final List<String> parameterLayers = new ArrayList<>();
    private final List<String> convolutions = new ArrayList<>();

    /**
     * @param analysisCopy an analysis copy of the network ({@link AnalysisCopies#normal}); never written
     * @param conf its configuration
     * @param outputVertex the output layer (exposed as logits)
     * @throws InterpretException naming every vertex the rules do not cover
     */
    public RuleWalker(ComputationGraph analysisCopy, ComputationGraphConfiguration conf, String outputVertex) {
        this(analysisCopy, conf, outputVertex, null);
    }

    /**
     * @param analysisCopy an analysis copy of the network ({@link AnalysisCopies#normal}); never written
     * @param conf its configuration
     * @param outputVertex the output layer (exposed as logits)
     * @param fastPath the model's fast engine, which then records the forward passes (every vertex's output in one
     *                 session call instead of DL4J's layers one by one), or null
     * @throws InterpretException naming every vertex the rules do not cover
     */
    public RuleWalker(ComputationGraph analysisCopy, ComputationGraphConfiguration conf, String outputVertex,
            SameDiffMirror fastPath) {
        this.fastPath = fastPath;
        this.g = analysisCopy;
        this.conf = conf;
        this.outputVertex = outputVertex;
        List<String> refused = new ArrayList<>();
        for (int idx : g.topologicalSortOrder()) {
            GraphVertex v = g.getVertices()[idx];
            if (v.isInputVertex()) {
                continue;
            }
            String why = unsupported(v);
            if (why != null) {
                refused.add("'" + v.getVertexName() + "' (" + why + ")");
            }
            if (linearWithParams(v)) {
                parameterLayers.add(v.getVertexName());
                if (((LinearLayerRules<?>) rules(v)).convolutional()) {
                    convolutions.add(v.getVertexName());
                }
            }
        }
        if (!refused.isEmpty()) {
            throw new InterpretException("LRP and DeepLIFT have no rule for " + String.join(", ", refused)
                    + ". They cover convolution, dense, output, batch-norm, activation, pooling, padding, up-sampling, "
                    + "dropout and merge/sum vertices; use a gradient method (e.g. IntegratedGradients) for this "
                    + "network");
        }
    }

    private static org.deeplearning4j.nn.conf.layers.Layer layerConf(GraphVertex v) {
        return v.hasLayer() ? LayerCatalogue.unwrapFrozen(v.getLayer().conf().getLayer()) : null;
    }

    /** @return the rules of a layer vertex's (unwrapped) layer, or null for a vertex without a layer */
    private static LayerRules<org.deeplearning4j.nn.conf.layers.Layer> rules(GraphVertex v) {
        return v.hasLayer() ? LayerRegistry.rules(layerConf(v)) : null;
    }

    private static boolean linearWithParams(GraphVertex v) {
        LayerRules<?> r = rules(v);
        return r != null && r.parameterLinear();
    }

    private String unsupported(GraphVertex v) {
        org.deeplearning4j.nn.conf.graph.GraphVertex cv = conf.getVertices().get(v.getVertexName());
        if (!v.hasLayer()) {
            if (cv instanceof ElementWiseVertex) {
                ElementWiseVertex.Op op = ((ElementWiseVertex) cv).getOp();
                return op == ElementWiseVertex.Op.Add || op == ElementWiseVertex.Op.Subtract
                        || op == ElementWiseVertex.Op.Average ? null : "element-wise " + op;
            }
            return cv instanceof MergeVertex || cv instanceof PreprocessorVertex ? null
                    : cv.getClass().getSimpleName();
        }
        org.deeplearning4j.nn.conf.layers.Layer c = layerConf(v);
        LayerRules<org.deeplearning4j.nn.conf.layers.Layer> r = rules(v);
        return r == null ? c.getClass().getSimpleName() : r.walkRefusal(c);
    }

    /** The recorded forward pass: each vertex's inputs (as the vertex received them) and output. */
    private final class Pass {
        final Map<String, INDArray[]> inputs = new HashMap<>();
        final Map<String, INDArray> outputs = new HashMap<>();
        final int n;

        Pass(INDArray x) {
            long started = System.nanoTime();
            n = (int) x.size(0);
            if (fastPath != null) {
                recordFast(x);
                log.debug("recorded forward pass of {} examples (fast path): {} ms", n,
                        (System.nanoTime() - started) / 1_000_000);
                return;
            }
            LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
            g.setInputs(x);
            GraphVertex[] vs = g.getVertices();
            Map<String, INDArray[]> pending = new HashMap<>();
            for (int idx : g.topologicalSortOrder()) {
                GraphVertex v = vs[idx];
                String name = v.getVertexName();
                INDArray out;
                if (v.isInputVertex()) {
                    out = x;
                } else {
                    INDArray[] in = pending.remove(name);
                    inputs.put(name, in);
                    for (int i = 0; i < in.length; i++) {
                        // DL4J's ActivationLayer and PReLU apply their function in place: each gets a copy
                        v.setInput(i, in[i].dup(), mgr);
                    }
                    out = v.doForward(false, mgr).dup();
                }
                outputs.put(name, out);
                VertexIndices[] outs = v.getOutputVertices();
                if (outs == null) {
                    continue;
                }
                for (VertexIndices o : outs) {
                    GraphVertex t = vs[o.getVertexIndex()];
                    INDArray[] slot = pending.computeIfAbsent(t.getVertexName(),
                            k -> new INDArray[t.getInputVertices().length]);
                    slot[o.getVertexEdgeNumber()] = out;
                }
            }
            for (GraphVertex v : vs) {
                v.clear();
            }
            log.debug("recorded forward pass of {} examples: {} ms", n, (System.nanoTime() - started) / 1_000_000);
        }

        /** Every vertex's output from one call of the fast engine; a vertex's inputs are its sources' outputs. */
        private void recordFast(INDArray x) {
            GraphVertex[] vs = g.getVertices();
            List<String> names = new ArrayList<>();
            for (GraphVertex v : vs) {
                if (!v.isInputVertex()) {
                    names.add(v.getVertexName());
                }
            }
            Map<String, INDArray> acts = fastPath.forward(x, names);
            for (GraphVertex v : vs) {
                outputs.put(v.getVertexName(), v.isInputVertex() ? x : acts.get(v.getVertexName()));
            }
            for (GraphVertex v : vs) {
                if (v.isInputVertex()) {
                    continue;
                }
                VertexIndices[] src = v.getInputVertices();
                INDArray[] in = new INDArray[src.length];
                for (int i = 0; i < src.length; i++) {
                    in[i] = outputs.get(vs[src[i].getVertexIndex()].getVertexName());
                }
                inputs.put(v.getVertexName(), in);
            }
        }

        /** @return the input of a layer vertex after its preprocessor */
        INDArray layerInput(GraphVertex v) {
            INDArray in = inputs.get(v.getVertexName())[0];
            InputPreProcessor pp = v instanceof LayerVertex ? ((LayerVertex) v).getLayerPreProcessor() : null;
            return pp == null ? in : pp.preProcess(in.dup(), n, LayerWorkspaceMgr.noWorkspaces());
        }
    }

    /** The result of a walk: the input attribution and the target's value on each input. */
    public static final class Walk {
        /** Attribution per input value, {@code [N, C, H, W]}. */
        public final INDArray attributions;
        /** The target per example on the input. */
        public final INDArray values;
        /** The target per example on the reference (DeepLIFT), else null. */
        public final INDArray referenceValues;

        public Walk(INDArray attributions, INDArray values, INDArray referenceValues) {
            this.attributions = attributions;
            this.values = values;
            this.referenceValues = referenceValues;
        }
    }

    /**
     * @param target the target, checked against the activation's shape
     * @param act the activation of the target's layer
     * @param layer the layer's name (for messages)
     * @return the seed {@code d target / d act} of a linear read-out
     * @throws IllegalArgumentException for a target whose gradient depends on the activation (probabilities)
     */
    public static INDArray linearSeed(Target target, INDArray act, String layer) {
        target.validate(layer, act.shape());
        Target fixed = target.fixedFor(act);
        if (fixed.gradientDependsOnActivation()) {
            throw new IllegalArgumentException("LRP and DeepLIFT explain a linear read-out of a layer (a class logit, "
                    + "a channel, a neuron), not " + target.description() + "; use Targets.logit, Targets.predicted or"
                    + " a unit target");
        }
        return fixed.gradient(act);
    }

    private String targetLayer(Target target) {
        String layer = target.layer() == null ? outputVertex : target.layer();
        if (g.getVertex(layer) == null) {
            throw new IllegalArgumentException("Unknown layer '" + layer + "' for the target");
        }
        return layer;
    }

    /**
     * Layer-wise relevance propagation.
     *
     * @param x NCHW input (validated, the network's data type)
     * @param target a linear read-out (class logit, channel, neuron)
     * @param composite the rules
     * @return relevance at the input (its sum per example is the target value, less what biases absorb)
     */
    public synchronized Walk lrp(INDArray x, Target target, LrpComposite composite) {
        List<String> names = parameterLayers.stream().map(RuleWalker::userName).collect(
                java.util.stream.Collectors.toList());
        for (String name : composite.overrides().keySet()) {
            if (!names.contains(name)) {
                throw new IllegalArgumentException("The LRP composite names layer '" + name + "', which is not a "
                        + "convolution, dense or output layer of this network; those are " + names);
            }
        }
        String layer = targetLayer(target);
        Pass p = new Pass(x);
        INDArray act = p.outputs.get(layer);
        INDArray seed = linearSeed(target, act, layer);
        INDArray values = seed.mul(act).reshape(act.size(0), -1).sum(1);
        Map<String, INDArray[]> fold = new HashMap<>();
        INDArray r = walk(layer, seed.mul(act), (v, q) -> lrpVertex(v, q, p, composite, fold));
        return new Walk(r, values, null);
    }

    /**
     * DeepLIFT with the Rescale rule.
     *
     * @param x NCHW input
     * @param reference NCHW reference, same shape
     * @param target a linear read-out
     * @return contributions {@code (x - reference) * multipliers}; their sum per example is the target's change
     *         (up to the max-pooling remainder)
     */
    public synchronized Walk deepLift(INDArray x, INDArray reference, Target target) {
        String layer = targetLayer(target);
        Pass p = new Pass(x);
        Pass p0 = new Pass(reference);
        INDArray act = p.outputs.get(layer);
        INDArray seed = linearSeed(target, act, layer);
        INDArray values = seed.mul(act).reshape(act.size(0), -1).sum(1);
        INDArray values0 = seed.mul(p0.outputs.get(layer)).reshape(act.size(0), -1).sum(1);
        INDArray m = walk(layer, seed, (v, q) -> deepLiftVertex(v, q, p, p0));
        return new Walk(m.mul(x.sub(reference)), values, values0);
    }

    /**
     * DeepLIFT with the RevealCancel rule: every difference from the reference is carried as a positive and a
     * negative part; linear maps route each part by the weights' signs, and a non-linearity gives each part the
     * average of its effect with and without the other part (Shrikumar et al. 2017, section 3.5.3), so that
     * cancelling positive and negative inputs are not hidden. Multipliers run backward per part. Internally the two
     * parts travel as one array of twice the batch, {@code [positive; negative]}.
     *
     * @param x NCHW input
     * @param reference NCHW reference, same shape
     * @param target a linear read-out
     * @return contributions {@code dx+ m+ + dx- m-}; their sum per example is the target's change (up to the
     *         max-pooling remainder)
     */
    public synchronized Walk revealCancel(INDArray x, INDArray reference, Target target) {
        String layer = targetLayer(target);
        Pass p = new Pass(x);
        Pass p0 = new Pass(reference);
        Map<String, INDArray> delta = deltaPass(x.sub(reference), p, p0);
        INDArray act = p.outputs.get(layer);
        INDArray seed = linearSeed(target, act, layer);
        INDArray values = seed.mul(act).reshape(act.size(0), -1).sum(1);
        INDArray values0 = seed.mul(p0.outputs.get(layer)).reshape(act.size(0), -1).sum(1);
        INDArray m = walk(layer, Nd4j.concat(0, seed, seed), (v, q) -> revealCancelVertex(v, q, p, p0, delta));
        INDArray d = x.sub(reference);
        INDArray[] dParts = WalkMath.split(WalkMath.signParts(d));
        INDArray[] mParts = WalkMath.split(m);
        return new Walk(dParts[0].mul(mParts[0]).addi(dParts[1].mul(mParts[1])), values, values0);
    }

    /** The positive and negative parts of every vertex's output difference, packed. */
    private Map<String, INDArray> deltaPass(INDArray d, Pass p, Pass p0) {
        Map<String, INDArray> out = new HashMap<>();
        GraphVertex[] vs = g.getVertices();
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        for (int idx : g.topologicalSortOrder()) {
            GraphVertex v = vs[idx];
            String name = v.getVertexName();
            if (v.isInputVertex()) {
                out.put(name, WalkMath.signParts(d));
                continue;
            }
            VertexIndices[] src = v.getInputVertices();
            INDArray[] in = new INDArray[src.length];
            for (int i = 0; i < src.length; i++) {
                in[i] = out.get(vs[src[i].getVertexIndex()].getVertexName());
            }
            out.put(name, deltaVertex(v, in, p, p0, out, mgr));
        }
        return out;
    }

    private INDArray deltaVertex(GraphVertex v, INDArray[] in, Pass p, Pass p0, Map<String, INDArray> delta,
            LayerWorkspaceMgr mgr) {
        String name = v.getVertexName();
        if (!v.hasLayer()) {
            org.deeplearning4j.nn.conf.graph.GraphVertex cv = conf.getVertices().get(name);
            if (cv instanceof ElementWiseVertex) {
                ElementWiseVertex.Op op = ((ElementWiseVertex) cv).getOp();
                INDArray sum = null;
                for (int i = 0; i < in.length; i++) {
                    INDArray term = in[i];
                    if (op == ElementWiseVertex.Op.Subtract && i == 1) {
                        // a subtracted term's positive part is the negative part of the difference
                        term = WalkMath.swapNegated(term);
                    } else {
                        term = term.mul(termWeight(op, i, in.length));
                    }
                    sum = sum == null ? term : sum.addi(term);
                }
                return sum;
            }
            for (int i = 0; i < in.length; i++) {
                v.setInput(i, in[i].dup(), mgr);
            }
            INDArray r = v.doForward(false, mgr).dup();
            v.clear();
            return r;
        }
        InputPreProcessor pp = v instanceof LayerVertex ? ((LayerVertex) v).getLayerPreProcessor() : null;
        INDArray dIn = pp == null ? in[0] : pp.preProcess(in[0].dup(), (int) in[0].size(0), mgr).dup();
        return rules(v).delta(new Step(v, p, p0, null, delta), layerConf(v), WalkMath.split(dIn), dIn);
    }

    private INDArray[] revealCancelVertex(GraphVertex v, INDArray q, Pass p, Pass p0, Map<String, INDArray> delta) {
        String name = v.getVertexName();
        INDArray[] m = WalkMath.split(q);
        if (!v.hasLayer()) {
            org.deeplearning4j.nn.conf.graph.GraphVertex cv = conf.getVertices().get(name);
            if (cv instanceof ElementWiseVertex) {
                ElementWiseVertex.Op op = ((ElementWiseVertex) cv).getOp();
                int k = p.inputs.get(name).length;
                INDArray[] out = new INDArray[k];
                for (int i = 0; i < k; i++) {
                    out[i] = op == ElementWiseVertex.Op.Subtract && i == 1 ? WalkMath.swapNegated(q)
                            : q.mul(termWeight(op, i, k));
                }
                return out;
            }
            INDArray[] a = linearNonLayerBackward(v, m[0], p);
            INDArray[] b = linearNonLayerBackward(v, m[1], p);
            INDArray[] out = new INDArray[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = WalkMath.pack(a[i], b[i]);
            }
            return out;
        }
        INDArray[] mIn = rules(v).revealCancel(new Step(v, p, p0, null, delta), layerConf(v), m);
        return new INDArray[] {WalkMath.pack(preprocessorBackward(v, mIn[0], p.n),
            preprocessorBackward(v, mIn[1], p.n))};
    }

    /** One layer vertex of a walk, as its {@link LayerRules} see it. */
    private final class Step implements LayerRules.WalkStep {
        private final GraphVertex v;
        private final Pass p;
        private final Pass p0;
        private final Map<String, INDArray[]> fold;
        private final Map<String, INDArray> delta;
        private final LrpComposite composite;

        Step(GraphVertex v, Pass p, Pass p0, Map<String, INDArray[]> fold, Map<String, INDArray> delta) {
            this(v, p, p0, fold, delta, null);
        }

        Step(GraphVertex v, Pass p, Pass p0, Map<String, INDArray[]> fold, Map<String, INDArray> delta,
                LrpComposite composite) {
            this.v = v;
            this.p = p;
            this.p0 = p0;
            this.fold = fold;
            this.delta = delta;
            this.composite = composite;
        }

        @Override
        public String name() {
            return v.getVertexName();
        }

        @Override
        public boolean isOutput() {
            return name().equals(outputVertex);
        }

        @Override
        public Layer layer() {
            return unwrap(v.getLayer());
        }

        @Override
        public INDArray x() {
            return p.layerInput(v);
        }

        @Override
        public INDArray x0() {
            return p0.layerInput(v);
        }

        @Override
        public INDArray y() {
            return p.outputs.get(name());
        }

        @Override
        public INDArray y0() {
            return p0.outputs.get(name());
        }

        @Override
        public Linear linear(boolean folded) {
            return RuleWalker.this.linear(v, folded && fold != null ? fold.get(name()) : null);
        }

        @Override
        public LrpRule lrpRule(boolean convolution) {
            String name = name();
            return composite.ruleFor(userName(name), parameterLayers.indexOf(name), convolution,
                    convolution ? convolutions.indexOf(name) : -1, convolutions.size());
        }

        @Override
        public boolean foldIntoProducer(INDArray[] affine) {
            GraphVertex producer = foldableProducer(v);
            if (producer == null) {
                return false;
            }
            fold.put(producer.getVertexName(), affine);
            return true;
        }

        @Override
        public INDArray forward(INDArray t) {
            return layerForward(v, t, LayerWorkspaceMgr.noWorkspaces());
        }

        @Override
        public INDArray transpose(INDArray x, INDArray s) {
            return layerTranspose(v, x, s, LayerWorkspaceMgr.noWorkspaces());
        }

        @Override
        public INDArray deltaOut() {
            return delta.get(name());
        }

        @Override
        public INDArray[] deltaIn() {
            GraphVertex src = g.getVertices()[v.getInputVertices()[0].getVertexIndex()];
            INDArray d = delta.get(src.getVertexName());
            InputPreProcessor pp = v instanceof LayerVertex ? ((LayerVertex) v).getLayerPreProcessor() : null;
            if (pp != null) {
                d = pp.preProcess(d.dup(), (int) d.size(0), LayerWorkspaceMgr.noWorkspaces()).dup();
            }
            return WalkMath.split(d);
        }
    }

    /** @return a layer's output for an input, through DL4J's own forward pass (on a copy of the input) */
    private static INDArray layerForward(GraphVertex v, INDArray t, LayerWorkspaceMgr mgr) {
        Layer l = v.getLayer();
        l.setInput(t.dup(), mgr);
        INDArray y = l.activate(false, mgr).dup();
        l.clear();
        return y;
    }

    private interface VertexRule {
        INDArray[] apply(GraphVertex v, INDArray q);
    }

    private INDArray walk(String start, INDArray q0, VertexRule rule) {
        GraphVertex[] vs = g.getVertices();
        INDArray[] q = new INDArray[vs.length];
        q[g.getVertex(start).getVertexIndex()] = q0;
        int[] topo = g.topologicalSortOrder();
        INDArray result = null;
        Map<String, Long> nanosByKind = new java.util.TreeMap<>();
        for (int k = topo.length - 1; k >= 0; k--) {
            GraphVertex v = vs[topo[k]];
            INDArray e = q[v.getVertexIndex()];
            if (e == null) {
                continue;
            }
            if (v.isInputVertex()) {
                result = e;
                continue;
            }
            long t0 = System.nanoTime();
            INDArray[] in = rule.apply(v, e);
            String kind = v.hasLayer() ? layerConf(v).getClass().getSimpleName() : v.getClass().getSimpleName();
            nanosByKind.merge(kind, System.nanoTime() - t0, Long::sum);
            VertexIndices[] src = v.getInputVertices();
            for (int j = 0; j < src.length; j++) {
                int s = src[j].getVertexIndex();
                q[s] = q[s] == null ? in[j] : q[s].add(in[j]);
            }
        }
        if (result == null) {
            throw new IllegalStateException("The target does not depend on the input");
        }
        if (log.isDebugEnabled()) {
            StringBuilder b = new StringBuilder();
            nanosByKind.forEach((k, n) -> b.append(' ').append(k).append(' ').append(n / 1_000_000).append(" ms"));
            log.debug("backward walk by vertex kind:{}", b);
        }
        return result;
    }

    // ----------------------------------------------------------------------------------------------- LRP rules

    private INDArray[] lrpVertex(GraphVertex v, INDArray r, Pass p, LrpComposite composite,
            Map<String, INDArray[]> fold) {
        if (!v.hasLayer()) {
            return lrpNonLayer(v, r, p);
        }
        INDArray rIn = rules(v).lrp(new Step(v, p, null, fold, null, composite), layerConf(v), r);
        return new INDArray[] {preprocessorBackward(v, rIn, p.n)};
    }

    private INDArray[] lrpNonLayer(GraphVertex v, INDArray r, Pass p) {
        org.deeplearning4j.nn.conf.graph.GraphVertex cv = conf.getVertices().get(v.getVertexName());
        INDArray[] ins = p.inputs.get(v.getVertexName());
        INDArray z = p.outputs.get(v.getVertexName());
        if (cv instanceof ElementWiseVertex) {
            ElementWiseVertex.Op op = ((ElementWiseVertex) cv).getOp();
            INDArray s = LrpRules.safeDiv(r, z, 0);
            INDArray[] out = new INDArray[ins.length];
            for (int i = 0; i < ins.length; i++) {
                out[i] = ins[i].mul(s).muli(termWeight(op, i, ins.length));
            }
            return out;
        }
        return linearNonLayerBackward(v, r, p);
    }

    /** @return the coefficient of input {@code i} of {@code k} in a sum, difference or average vertex */
    private static double termWeight(ElementWiseVertex.Op op, int i, int k) {
        return op == ElementWiseVertex.Op.Average ? 1.0 / k : op == ElementWiseVertex.Op.Subtract && i == 1 ? -1 : 1;
    }

    /** Merge and preprocessor vertices: they only move values, so relevance moves with them like a gradient. */
    private INDArray[] linearNonLayerBackward(GraphVertex v, INDArray q, Pass p) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray[] ins = p.inputs.get(v.getVertexName());
        for (int i = 0; i < ins.length; i++) {
            v.setInput(i, ins[i].dup(), mgr);
        }
        v.doForward(false, mgr);
        v.setEpsilon(q.dup());
        INDArray[] out = v.doBackward(false, mgr).getSecond();
        INDArray[] copies = new INDArray[out.length];
        for (int i = 0; i < out.length; i++) {
            copies[i] = out[i].dup();
        }
        v.clear();
        return copies;
    }

    /** @return the linear layer feeding a batch norm, if it feeds nothing else and has no fused activation */
    private GraphVertex foldableProducer(GraphVertex bn) {
        VertexIndices[] src = bn.getInputVertices();
        if (src.length != 1 || (bn instanceof LayerVertex && ((LayerVertex) bn).getLayerPreProcessor() != null)) {
            return null;
        }
        GraphVertex prod = g.getVertices()[src[0].getVertexIndex()];
        if (!linearWithParams(prod) || prod.getOutputVertices().length != 1) {
            return null;
        }
        IActivation a = ((BaseLayer) layerConf(prod)).getActivationFn();
        return ActivationRules.isIdentity(a) ? prod : null;
    }

    // ------------------------------------------------------------------------------------------ DeepLIFT rules

    private INDArray[] deepLiftVertex(GraphVertex v, INDArray m, Pass p, Pass p0) {
        String name = v.getVertexName();
        if (!v.hasLayer()) {
            org.deeplearning4j.nn.conf.graph.GraphVertex cv = conf.getVertices().get(name);
            if (cv instanceof ElementWiseVertex) {
                ElementWiseVertex.Op op = ((ElementWiseVertex) cv).getOp();
                int k = p.inputs.get(name).length;
                INDArray[] out = new INDArray[k];
                for (int i = 0; i < k; i++) {
                    out[i] = m.mul(termWeight(op, i, k));
                }
                return out;
            }
            return linearNonLayerBackward(v, m, p);
        }
        INDArray mIn = rules(v).deepLift(new Step(v, p, p0, null, null), layerConf(v), m);
        return new INDArray[] {preprocessorBackward(v, mIn, p.n)};
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** A linear layer's map with replaceable weights: forward and transposed, on a private single-layer copy. */
    final class Linear {
        final INDArray w;
        final INDArray b;
        private final Layer inst;
        private final ConvOps ops;
        private final boolean dense;

        Linear(Layer inst, ConvOps ops, INDArray w, INDArray b, boolean dense) {
            this.inst = inst;
            this.ops = ops;
            this.w = w;
            this.b = b;
            this.dense = dense;
        }

        /** @return {@code w a + b} (b may be null: no bias) */
        INDArray forward(INDArray a, INDArray weights, INDArray bias) {
            if (dense) {
                INDArray z = a.mmul(weights);
                return bias == null ? z : z.addiRowVector(bias.reshape(-1));
            }
            if (ops != null) {
                return ops.forward(a, weights, bias);
            }
            LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
            inst.setParam("W", weights);
            inst.setParam("b", bias == null ? Nd4j.zerosLike(inst.getParam("b")) : bias.reshape(inst.getParam("b")
                    .shape()));
            inst.setInput(a, mgr);
            INDArray z = inst.activate(false, mgr).dup();
            inst.clear();
            return z;
        }

        /** @return {@code weights^T s} */
        INDArray transpose(INDArray a, INDArray weights, INDArray s) {
            if (dense) {
                return s.mmul(weights.transpose());
            }
            if (ops != null) {
                return ops.transpose(a, weights, s);
            }
            LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
            inst.setParam("W", weights);
            inst.setInput(a, mgr);
            INDArray e = inst.backpropGradient(s.dup(), mgr).getSecond().dup();
            inst.clear();
            return e;
        }
    }

    /** @return the layer a frozen wrapper holds, else the layer itself */
    private static Layer unwrap(Layer live) {
        if (live instanceof org.deeplearning4j.nn.layers.FrozenLayer) {
            return ((org.deeplearning4j.nn.layers.FrozenLayer) live).getInsideLayer();
        }
        if (live instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) {
            return ((org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) live).getInsideLayer();
        }
        return live;
    }

    private Linear linear(GraphVertex v, INDArray[] foldedAffine) {
        Layer live = unwrap(v.getLayer());
        // the live parameters are read, never written: rules build modified copies, and folding below copies first
        INDArray w = live.getParam("W");
        INDArray b = live.paramTable().containsKey("b") ? live.getParam("b") : null;
        org.deeplearning4j.nn.conf.layers.Layer c = layerConf(v);
        boolean dense = !((LinearLayerRules<?>) rules(v)).convolutional();
        if (foldedAffine != null) {
            // batch norm after the layer: scale each output channel's weights and bias, shift the bias
            INDArray scale = foldedAffine[0].reshape(-1);
            INDArray shift = foldedAffine[1].reshape(-1);
            if (dense) {
                w = w.mulRowVector(scale);
            } else {
                long[] bs = new long[w.rank()];
                java.util.Arrays.fill(bs, 1);
                bs[0] = scale.length();
                w = w.mul(scale.reshape(bs));
            }
            INDArray b0 = b == null ? Nd4j.zerosLike(scale) : b.reshape(-1);
            b = b0.mul(scale).addi(shift).reshape(1, scale.length());
        }
        ConvOps ops = dense ? null : convOps.computeIfAbsent(v.getVertexName(), k -> java.util.Optional.ofNullable(
                ConvOps.of(c))).orElse(null);
        return new Linear(dense || ops != null ? null : privateLayer(v), ops, w, b, dense);
    }

    /** @return a private copy of a convolution layer (identity activation, its own parameters) */
    private Layer privateLayer(GraphVertex v) {
        return privateLayers.computeIfAbsent(v.getVertexName(), k -> {
            NeuralNetConfiguration nc = v.getLayer().conf().clone();
            org.deeplearning4j.nn.conf.layers.Layer lc = LayerCatalogue.unwrapFrozen(nc.getLayer()).clone();
            ((BaseLayer) lc).setActivationFn(new ActivationIdentity());
            // always with a bias: a folded batch norm gives a bias-free convolution one
            ((ConvolutionLayer) lc).setHasBias(true);
            lc.setIDropout(null);
            ((BaseLayer) lc).setWeightNoise(null);
            nc.setLayer(lc);
            long np = lc.initializer().numParams(nc);
            INDArray view = Nd4j.create(v.getLayer().getParam("W").dataType(), 1, np);
            Layer inst = lc.instantiate(nc, java.util.Collections.emptyList(), 0, view, false,
                    view.dataType());
            inst.setBackpropGradientsViewArray(Nd4j.create(view.dataType(), 1, np));
            return inst;
        });
    }

    /** @return the transposed map of a parameterless linear layer (its gradient), through DL4J's own backward */
    private static INDArray layerTranspose(GraphVertex v, INDArray x, INDArray s, LayerWorkspaceMgr mgr) {
        Layer l = v.getLayer();
        l.setInput(x.dup(), mgr);
        l.activate(false, mgr);
        INDArray e = l.backpropGradient(s.dup(), mgr).getSecond().dup();
        l.clear();
        return e;
    }

    private static INDArray preprocessorBackward(GraphVertex v, INDArray e, int n) {
        InputPreProcessor pp = v instanceof LayerVertex ? ((LayerVertex) v).getLayerPreProcessor() : null;
        return pp == null ? e : pp.backprop(e, n, LayerWorkspaceMgr.noWorkspaces()).dup();
    }

    /** @return {@code num / den} where {@code |den|} exceeds {@link LrpRule#STABILIZER}, else 0 */
    public static INDArray stabilisedRatio(INDArray num, INDArray den) {
        return LrpRules.safeDiv(num, den, 0);
    }

    /** @return the layers the composite's rules apply to, in order */
    public List<String> parameterLayers() {
        return List.copyOf(parameterLayers);
    }

    /** @return the convolutions among them */
    public List<String> convolutions() {
        return List.copyOf(convolutions);
    }
}
