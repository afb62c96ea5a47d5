package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.interpret.internal.SameDiffSessions;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fast execution path: a SameDiff graph that mirrors the network op for op on libnd4j's ops (oneDNN on CPU with
 * the {@code -onednn} classifier, cuDNN on CUDA) and <b>wraps the network's own parameter arrays</b>.
 *
 * <p>Two M2.1 facts shape it (both verified):
 * <ul>
 *   <li>SameDiff's default thread-safe array holder keeps a per-device copy of each variable's array, so in-place
 *       weight updates would not be seen; the mirror installs single-thread array holders, which keep the very
 *       parameter views (no copy; training and manual weight edits are seen at once).</li>
 *   <li>SameDiff autodiff computes weight gradients it does not need (conv2d_bp always produces dW) and re-creates
 *       ops from their serialised form when it builds a gradient function, so overridden backward rules are lost.
 *       The mirror therefore writes the <b>backward pass itself as forward ops</b>: transposed convolution for a
 *       convolution's input gradient, libnd4j's pooling derivative, and element-wise rules for activations (where
 *       the {@link ReluRule} applies), batch normalization, dense layers, pooling, padding and vertices. One
 *       {@code output()} call computes activations and the input gradient, without weight gradients, for every
 *       ReLU rule.</li>
 * </ul>
 *
 * <p>Covered: convolution (same/truncate/strict padding, any stride; dilated convolutions go to the fallback because
 * oneDNN in the M2.1 CPU build rejects some FP32 dilated descriptors), max/average subsampling, batch normalization
 * (inference statistics), dense, output and loss layers (as logits), activation layers and fused
 * identity/ReLU/leaky ReLU/sigmoid/tanh/ELU/softmax activations, global max/average/sum pooling, zero padding,
 * dropout (identity), element-wise add/subtract/product/average/max, merge, and the CNN/feed-forward preprocessors.
 * {@link #unsupportedLayers(ComputationGraph)} names anything else, and the model then uses {@link LayerLoopEngine}.
 * Calls on one mirror are serialised.
 */
public final class SameDiffMirror implements GradientEngine {
    private static final String INPUT = "input__";
    private static final String INJECT = "inject__";
    /** Suffix of the scalar placeholder of an affine seed. */
    private static final String SCALE = "__scale";

    private final ComputationGraph base;
    private final String injectAt;
    /** Mirrors with one layer's activation fed from a placeholder, keyed by layer (they share the parameters). */
    private final Map<String, SameDiffMirror> injected = new HashMap<>();
    private final SameDiff sd;
    private final Map<String, Node> nodes;
    private final List<String> order;
    private final DataType dt;
    /** Static shapes (batch dimension 1) of every recorded variable, per input spatial size "HxW". */
    private final Map<String, Map<String, long[]>> shapesBySize = new HashMap<>();
    /** Backward subgraphs: key "rule|layer|HxW" to {seed placeholder, gradient variable}. */
    private final Map<String, String[]> backward = new HashMap<>();

    /** @param base an analysis copy built with {@link ReluRule#NORMAL} that shares the model's parameters */
    public SameDiffMirror(ComputationGraph base) {
        this(base, null);
    }

    private SameDiffMirror(ComputationGraph base, String injectAt) {
        this.base = base;
        this.injectAt = injectAt;
        Builder b = new Builder(base, false);
        b.injectAt = injectAt;
        b.build();
        this.sd = b.sd;
        this.nodes = b.nodes;
        this.order = b.order;
        this.dt = b.dt;
    }

    /**
     * @param base an analysis copy of the network
     * @return "name (Type)" for every vertex the mirror cannot express; empty when the fast path covers the network
     */
    public static List<String> unsupportedLayers(ComputationGraph base) {
        Builder b = new Builder(base, true);
        b.build();
        return b.unsupported;
    }

    @Override
    public String name() {
        return "samediff";
    }

    @Override
    public List<String> unsupportedLayers() {
        return List.of();
    }

    @Override
    public Map<String, INDArray> forward(INDArray input, Collection<String> layers) {
        return run(input, null, layers);
    }

    @Override
    public Map<String, INDArray> forward(INDArray input, Collection<String> layers, String overrideLayer,
            INDArray override) {
        return injectedMirror(overrideLayer).run(input, override, layers);
    }

    private synchronized SameDiffMirror injectedMirror(String layer) {
        return injected.computeIfAbsent(layer, l -> new SameDiffMirror(base, l));
    }

    private Map<String, INDArray> feeds(INDArray input, INDArray override) {
        Map<String, INDArray> feeds = new HashMap<>();
        feeds.put(INPUT, input);
        if (injectAt != null) {
            feeds.put(INJECT, override);
        }
        return feeds;
    }

    private synchronized Map<String, INDArray> run(INDArray input, INDArray override, Collection<String> layers) {
        String[] names = layers.stream().map(l -> nodes.get(l).out.name()).toArray(String[]::new);
        Map<String, INDArray> out = SameDiffSessions.output(sd, feeds(input, override), names);
        Map<String, INDArray> res = new HashMap<>();
        for (String l : layers) {
            res.put(l, out.get(nodes.get(l).out.name()).detach());
        }
        return res;
    }

    @Override
    public InputPass inputGradient(INDArray input, List<Seed> seeds, ReluRule rule) {
        if (seeds.size() == 1 && !seeds.get(0).affine()) {
            Seed s = seeds.get(0);
            LayerPass r = gradient(input, null, s.layer(), s.offset(), order.get(0), rule);
            return new InputPass(Map.of(s.layer(), r.activation()), r.gradient());
        }
        return inputGradientOfSeveral(input, seeds, rule);
    }

    @Override
    public LayerPass layerGradient(INDArray input, String layer, INDArray seed, String wrtLayer, INDArray override,
            ReluRule rule) {
        SameDiffMirror m = override == null ? this : injectedMirror(wrtLayer);
        return m.gradient(input, override, layer, seed, wrtLayer, rule);
    }

    private synchronized LayerPass gradient(INDArray input, INDArray override, String layer, INDArray seed,
            String wrt, ReluRule rule) {
        String size = input.size(2) + "x" + input.size(3);
        String[] names = backward.computeIfAbsent(rule + "|" + layer + "|" + wrt + "|" + size,
                k -> buildBackward(List.of(layer), new boolean[1], rule, shapes(input, override), wrt));
        String act = nodes.get(layer).out.name();
        String wrtAct = nodes.get(wrt).out.name();
        Map<String, INDArray> feeds = feeds(input, override);
        feeds.put(names[0], seed);
        Map<String, INDArray> out = SameDiffSessions.output(sd, feeds, act, wrtAct, names[1]);
        return new LayerPass(out.get(act).detach(), out.get(wrtAct).detach(), out.get(names[1]).detach());
    }

    private synchronized InputPass inputGradientOfSeveral(INDArray input, List<Seed> seeds, ReluRule rule) {
        List<String> layers = new ArrayList<>();
        boolean[] affine = new boolean[seeds.size()];
        StringBuilder flags = new StringBuilder();
        for (int i = 0; i < seeds.size(); i++) {
            layers.add(seeds.get(i).layer());
            affine[i] = seeds.get(i).affine();
            flags.append(affine[i] ? 'a' : 'c');
        }
        String size = input.size(2) + "x" + input.size(3);
        String[] names = backward.computeIfAbsent(rule + "|" + String.join(",", layers) + "|" + flags + "|"
                + order.get(0) + "|" + size, k -> buildBackward(layers, affine, rule, shapes(input, null),
                order.get(0)));
        Map<String, INDArray> feeds = feeds(input, null);
        String[] outs = new String[layers.size() + 1];
        for (int i = 0; i < layers.size(); i++) {
            feeds.put(names[i], seeds.get(i).offset());
            if (affine[i]) {
                feeds.put(names[i] + SCALE, Nd4j.scalar(dt, seeds.get(i).scale()));
            }
            outs[i] = nodes.get(layers.get(i)).out.name();
        }
        outs[layers.size()] = names[layers.size()];
        Map<String, INDArray> out = SameDiffSessions.output(sd, feeds, outs);
        Map<String, INDArray> acts = new java.util.LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            acts.put(layers.get(i), out.get(outs[i]).detach());
        }
        return new InputPass(acts, out.get(outs[layers.size()]).detach());
    }

    /** Records the static shape of every variable the backward rules need, from one batch-1 forward pass. */
    private Map<String, long[]> shapes(INDArray input, INDArray override) {
        String size = input.size(2) + "x" + input.size(3);
        return shapesBySize.computeIfAbsent(size, k -> {
            Set<String> vars = new LinkedHashSet<>();
            for (Node n : nodes.values()) {
                vars.add(n.out.name());
                for (SDVariable v : n.shapeOf) {
                    vars.add(v.name());
                }
            }
            INDArray probe = Nd4j.zeros(dt, 1, input.size(1), input.size(2), input.size(3));
            Map<String, INDArray> feeds = new HashMap<>();
            feeds.put(INPUT, probe);
            if (injectAt != null) {
                long[] os = override.shape().clone();
                os[0] = 1;
                feeds.put(INJECT, Nd4j.zeros(dt, os));
            }
            Map<String, INDArray> out = SameDiffSessions.output(sd, feeds, vars.toArray(new String[0]));
            Map<String, long[]> shapes = new HashMap<>();
            for (Map.Entry<String, INDArray> e : out.entrySet()) {
                shapes.put(e.getKey(), e.getValue().shape());
            }
            return shapes;
        });
    }

    /** @return the seed placeholder names (one per layer), then the gradient variable's name */
    private String[] buildBackward(List<String> layers, boolean[] affine, ReluRule rule, Map<String, long[]> shapes,
            String wrt) {
        Map<String, SDVariable> eps = new HashMap<>();
        String[] names = new String[layers.size() + 1];
        for (int i = 0; i < layers.size(); i++) {
            names[i] = "seed__" + backward.size() + "__" + i + "__" + layers.get(i);
            SDVariable seed = sd.placeHolder(names[i], dt);
            if (affine[i]) {
                // seed = scale * activation + offset, inside this pass
                seed = nodes.get(layers.get(i)).out.mul(sd.placeHolder(names[i] + SCALE, dt)).add(seed);
            }
            eps.put(layers.get(i), seed);
        }
        SDVariable grad = null;
        for (int i = order.size() - 1; i >= 0; i--) {
            Node n = nodes.get(order.get(i));
            SDVariable e = eps.remove(n.name);
            if (e == null) {
                continue;
            }
            if (n.name.equals(wrt)) {
                grad = e;
                break;
            }
            if (n.inputs.isEmpty()) {
                continue;
            }
            List<SDVariable> ins = n.backward.apply(e, rule, shapes);
            for (int j = 0; j < ins.size(); j++) {
                String src = n.inputs.get(j);
                SDVariable prev = eps.get(src);
                eps.put(src, prev == null ? ins.get(j) : prev.add(ins.get(j)));
            }
        }
        if (grad == null) {
            grad = sd.zerosLike(nodes.get(wrt).out); // the target does not depend on that layer
        }
        grad = sd.identity("grad__" + backward.size(), grad);
        names[layers.size()] = grad.name();
        return names;
    }

    /** Backward rule of one vertex: the seed at its output to the seeds at its inputs. */
    interface Backward {
        List<SDVariable> apply(SDVariable eps, ReluRule rule, Map<String, long[]> shapes);
    }

    private static final class Node {
        final String name;
        final List<String> inputs;
        final SDVariable out;
        final Backward backward;
        /** Variables whose static shapes the backward rule reads. */
        final List<SDVariable> shapeOf;

        Node(String name, List<String> inputs, SDVariable out, Backward backward, List<SDVariable> shapeOf) {
            this.name = name;
            this.inputs = inputs;
            this.out = out;
            this.backward = backward;
            this.shapeOf = shapeOf;
        }
    }

    /** A layer's forward output plus its backward rule. */
    static final class Piece {
        final SDVariable out;
        final Backward backward;
        final List<SDVariable> shapeOf;

        Piece(SDVariable out, Backward backward, SDVariable... shapeOf) {
            this.out = out;
            this.backward = backward;
            this.shapeOf = Arrays.asList(shapeOf);
        }
    }

    /** Translates the analysis copy vertex by vertex, forward ops and backward rules together. */
    private static final class Builder implements LayerRules.MirrorContext {
        private final ComputationGraph g;
        private final ComputationGraphConfiguration conf;
        private final boolean dryRun;
        private final SameDiff sd = SameDiff.create();
        private final List<String> unsupported = new ArrayList<>();
        private final Map<String, Node> nodes = new HashMap<>();
        private final List<String> order = new ArrayList<>();
        private DataType dt;
        /** Rank of the current layer's input after preprocessing (shapes are not known statically). */
        private int inputRank;
        private final Map<String, Integer> ranks = new HashMap<>();
        /** Layer whose activation is fed from the {@code inject__} placeholder, or null. */
        private String injectAt;

        Builder(ComputationGraph g, boolean dryRun) {
            // keep references to the network's parameter views instead of per-device copies
            sd.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
            this.g = g;
            this.conf = g.getConfiguration();
            this.dryRun = dryRun;
        }

        void build() {
            dt = g.params().dataType();
            GraphVertex[] vs = g.getVertices();
            for (int idx : g.topologicalSortOrder()) {
                GraphVertex v = vs[idx];
                String name = v.getVertexName();
                Piece piece;
                List<String> inputNames = new ArrayList<>();
                if (v.isInputVertex()) {
                    piece = new Piece(sd.placeHolder(INPUT, dt, -1, -1, -1, -1), null);
                    inputRank = 4;
                } else {
                    List<SDVariable> ins = new ArrayList<>();
                    VertexIndices[] src = v.getInputVertices();
                    for (VertexIndices vi : src) {
                        String in = vs[vi.getVertexIndex()].getVertexName();
                        inputNames.add(in);
                        ins.add(nodes.get(in).out);
                    }
                    inputRank = ranks.get(inputNames.get(0));
                    piece = vertex(v, ins);
                    if (name.equals(injectAt) && piece != null) {
                        piece = new Piece(sd.placeHolder(INJECT, dt), piece.backward,
                                piece.shapeOf.toArray(new SDVariable[0]));
                    }
                    if (piece == null) {
                        piece = new Piece(sd.placeHolder("unsupported__" + name, dt, -1, -1, -1, -1), null);
                    }
                }
                ranks.put(name, inputRank);
                nodes.put(name, new Node(name, inputNames, piece.out, piece.backward, piece.shapeOf));
                order.add(name);
            }
        }

        @Override
        public Piece unsupported(String name, String what) {
            unsupported.add(name + " (" + what + ")");
            if (!dryRun) {
                throw new IllegalStateException("fast path cannot express " + name + " (" + what + ")");
            }
            return null;
        }

        private Piece vertex(GraphVertex v, List<SDVariable> ins) {
            String name = v.getVertexName();
            org.deeplearning4j.nn.conf.graph.GraphVertex cv = conf.getVertices().get(name);
            if (cv instanceof ElementWiseVertex) {
                return MirrorVertices.elementWise(this, name, ((ElementWiseVertex) cv).getOp(), ins);
            }
            if (cv instanceof MergeVertex) {
                return MirrorVertices.merge(this, (MergeVertex) cv, ins);
            }
            if (!(cv instanceof org.deeplearning4j.nn.conf.graph.LayerVertex)) {
                return unsupported(name, cv.getClass().getSimpleName());
            }
            org.deeplearning4j.nn.conf.graph.LayerVertex lv = (org.deeplearning4j.nn.conf.graph.LayerVertex) cv;
            SDVariable raw = ins.get(0);
            InputPreProcessor pp = lv.getPreProcessor();
            SDVariable x = preprocess(name, pp, raw);
            if (x == null) {
                return null;
            }
            org.deeplearning4j.nn.conf.layers.Layer lc = lv.getLayerConf().getLayer();
            LayerRules<org.deeplearning4j.nn.conf.layers.Layer> rules = LayerRegistry.rules(lc);
            Piece layer = rules == null || !rules.mirrored() ? unsupported(name, lc.getClass().getSimpleName())
                    : rules.format(lc) != org.deeplearning4j.nn.conf.CNN2DFormat.NCHW
                    ? unsupported(name, "NHWC " + lc.getClass().getSimpleName())
                    : rules.mirror(this, name, lc, x, v.getLayer());
            if (layer == null || pp == null) {
                return layer;
            }
            // chain the preprocessor's backward (a reshape back to the raw input's shape)
            Backward inner = layer.backward;
            Backward outer = (e, rule, shapes) -> List.of(reshapeLike(inner.apply(e, rule, shapes).get(0), raw,
                    shapes));
            List<SDVariable> shapeOf = new ArrayList<>(layer.shapeOf);
            shapeOf.add(raw);
            return new Piece(layer.out, outer, shapeOf.toArray(new SDVariable[0]));
        }

        private SDVariable reshapeLike(SDVariable e, SDVariable like, Map<String, long[]> shapes) {
            long[] s = shapes.get(like.name()).clone();
            s[0] = -1;
            return e.reshape(s);
        }

        private SDVariable preprocess(String name, InputPreProcessor pp, SDVariable x) {
            if (pp == null) {
                return x;
            }
            if (pp instanceof CnnToFeedForwardPreProcessor) {
                CnnToFeedForwardPreProcessor p = (CnnToFeedForwardPreProcessor) pp;
                if (p.getFormat() != CNN2DFormat.NCHW) {
                    unsupported(name, "NHWC CnnToFeedForwardPreProcessor");
                    return null;
                }
                inputRank = 2;
                return x.reshape(-1, p.getNumChannels() * p.getInputHeight() * p.getInputWidth());
            }
            if (pp instanceof FeedForwardToCnnPreProcessor) {
                FeedForwardToCnnPreProcessor p = (FeedForwardToCnnPreProcessor) pp;
                if (inputRank == 4) {
                    return x; // DL4J passes a 4-D input through unchanged (and so runs on crops of it)
                }
                inputRank = 4;
                return x.reshape(-1, p.getNumChannels(), p.getInputHeight(), p.getInputWidth());
            }
            unsupported(name, pp.getClass().getSimpleName());
            return null;
        }

        @Override
        public SDVariable param(String name, org.deeplearning4j.nn.api.Layer rt, String key) {
            return sd.var(name + "__" + key, rt.getParam(key));
        }

        /** A parameter row ({@code [1, n]}) as a rank-1 view of the network's own array (updates are seen). */
        @Override
        public SDVariable vector(String name, org.deeplearning4j.nn.api.Layer rt, String key) {
            INDArray row = rt.getParam(key);
            INDArray v = row.reshape(-1);
            long w = row.dataType().width();
            if (v.data().address() + v.offset() * w != row.data().address() + row.offset() * w) {
                // a copy would miss in-place updates (training, manual edits): refuse rather than go stale
                throw new IllegalStateException("parameter " + key + " of layer " + name + " is not contiguous, so"
                        + " the fast path cannot share it");
            }
            return sd.var(name + "__" + key, v);
        }

        @Override
        public SameDiff sd() {
            return sd;
        }

        @Override
        public DataType dt() {
            return dt;
        }

        @Override
        public int inputRank() {
            return inputRank;
        }

        @Override
        public void outputRank(int rank) {
            inputRank = rank;
        }
    }
}
