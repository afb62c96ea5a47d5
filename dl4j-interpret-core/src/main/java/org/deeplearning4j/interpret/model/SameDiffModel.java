package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.internal.engine.GradientEngine;
import org.deeplearning4j.interpret.internal.engine.InputPass;
import org.deeplearning4j.interpret.internal.engine.LayerPass;
import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.internal.engine.Seed;
import org.deeplearning4j.interpret.internal.SameDiffSessions;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@link InterpretableModel} for SameDiff graphs (built in SameDiff or imported from TensorFlow/ONNX): the input
 * placeholder, the logits variable and the hidden variables are named by the user. Work runs on private copies of
 * the graph structure that share the graph's variable arrays (in-place training updates are seen); gradients come
 * from SameDiff's own autodiff with a seeded loss added to the copy, so the user's graph is never changed.
 *
 * <p>ReLU rules (guided backprop, deconvnet) cannot go through SameDiff's autodiff (it re-creates ops and drops
 * custom backward rules), so for them the reverse pass is written op by op from each op's own {@code doDiff}, with
 * the rule at every {@code relu} op. A hidden activation is replaced (layer integrated gradients) by rewiring the ops
 * that read it to a placeholder in a private copy; its gradient also comes from the op-by-op reverse pass, because
 * the autodiff of M2.1 gives a spliced-in placeholder no gradient. Receptive fields are measured as the support of a
 * unit's input gradient on random inputs.
 */
final class SameDiffModel extends EngineModel {
    private static final String INJECT = "inject__";

    private final SameDiff source;
    private final String input;
    private final String logits;
    private final InputSpec spec;
    private final int maxBatch;
    private final boolean classifier;
    private final DataType dataType;
    private final List<String> layerNames;
    private final SameDiff forward;
    private final Map<String, SameDiff> gradients = new HashMap<>();
    private final Map<String, ReceptiveField> fields = new HashMap<>();
    private final GradientEngine engine = new GraphEngine();
    private List<LayerInfo> layers;

    SameDiffModel(SameDiff source, String input, String logits, List<String> layerNames, InputSpec spec,
            int maxBatch, boolean classifier) {
        this.classifier = classifier;
        this.source = source;
        this.input = input;
        this.logits = logits;
        this.maxBatch = maxBatch;
        SDVariable in = source.getVariable(input);
        if (in == null || in.getVariableType() != VariableType.PLACEHOLDER) {
            throw new IllegalArgumentException("'" + input + "' is not a placeholder of this graph. Placeholders: "
                    + source.variables().stream().filter(v -> v.getVariableType() == VariableType.PLACEHOLDER)
                    .map(SDVariable::name).collect(Collectors.joining(", ")));
        }
        this.dataType = in.dataType();
        List<String> arrays = arrayVariables(source);
        if (!arrays.contains(logits)) {
            throw unknown(logits, arrays, "logits");
        }
        List<String> chosen = layerNames == null || layerNames.isEmpty() ? pathTo(source, logits, arrays) : layerNames;
        for (String l : chosen) {
            if (!arrays.contains(l)) {
                throw unknown(l, arrays, "layer");
            }
        }
        List<String> ordered = new ArrayList<>(chosen);
        if (!ordered.contains(logits)) {
            ordered.add(logits);
        }
        this.layerNames = Collections.unmodifiableList(ordered);
        long[] ps = in.getShape();
        InputSpec inferred = ps != null && ps.length == 4 ? InputSpec.builder().shape(ps[1] > 0 ? ps[1] : -1,
                ps[2] > 0 ? ps[2] : -1, ps[3] > 0 ? ps[3] : -1).build() : InputSpec.builder().build();
        if (spec != null && ps != null && ps.length == 4) {
            long[] given = {spec.channels(), spec.height(), spec.width()};
            for (int d = 0; d < 3; d++) {
                if (ps[d + 1] > 0 && given[d] > 0 && ps[d + 1] != given[d]) {
                    throw new IllegalArgumentException("The InputSpec says " + spec.channels() + "x" + spec.height()
                            + "x" + spec.width() + " inputs, but placeholder '" + input + "' has shape "
                            + Arrays.toString(ps) + "; pass InputSpec.builder().shape(" + dims(ps) + ")");
                }
            }
        }
        this.spec = spec != null ? spec : inferred;
        this.forward = shareArrays(structureCopy(source));
    }

    private static String dims(long[] ps) {
        return (ps[1] > 0 ? ps[1] : "c") + ", " + (ps[2] > 0 ? ps[2] : "h") + ", " + (ps[3] > 0 ? ps[3] : "w");
    }

    private static IllegalArgumentException unknown(String name, List<String> valid, String what) {
        return new IllegalArgumentException("Unknown " + what + " variable '" + name + "'. Variables computed by the "
                + "graph: " + String.join(", ", valid));
    }

    /** @return the outputs of the graph's ops, in op order */
    private static List<String> arrayVariables(SameDiff sd) {
        List<String> out = new ArrayList<>();
        for (SameDiffOp op : SameDiffSessions.opsInOrder(sd)) {
            if (op.getOutputsOfOp() != null) {
                for (String o : op.getOutputsOfOp()) {
                    SDVariable v = sd.getVariable(o);
                    if (v != null && v.getVariableType() == VariableType.ARRAY && v.dataType().isFPType()) {
                        out.add(o);
                    }
                }
            }
        }
        return out;
    }

    /** A private copy of the graph's structure ({@link SameDiffSessions#copyStructure}), training artefacts renamed. */
    private SameDiff structureCopy(SameDiff sd) {
        SameDiff copy = SameDiffSessions.copyStructure(sd);
        // A graph saved in the middle of training carries its training gradient ("one-var", "grad", "w-grad", ...).
        // Everything that neither the logits, the layers nor the graph's own loss depends on is such an artefact:
        // move it out of the way of the names the reverse pass adds.
        List<String> roots = new ArrayList<>(layerNamesOrEmpty());
        roots.add(logits);
        roots.addAll(copy.getLossVariables());
        java.util.Set<String> keep = ancestors(copy, roots);
        for (String name : new ArrayList<>(copy.variableMap().keySet())) {
            if (!keep.contains(name) && copy.getVariable(name).getVariableType() != VariableType.PLACEHOLDER) {
                copy.renameVariable(name, name + "__training");
            }
        }
        return copy;
    }

    /** @return the computed variables the logits depend on, in op order */
    private static List<String> pathTo(SameDiff sd, String logits, List<String> arrays) {
        java.util.Set<String> up = ancestors(sd, List.of(logits));
        return arrays.stream().filter(up::contains).collect(Collectors.toList());
    }

    private List<String> layerNamesOrEmpty() {
        return layerNames == null ? List.of() : layerNames;
    }

    /** @return the given variables and every variable they are computed from */
    static java.util.Set<String> ancestors(SameDiff sd, List<String> roots) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (!seen.add(v) || sd.getVariable(v) == null) {
                continue;
            }
            org.nd4j.autodiff.functions.DifferentialFunction op = sd.getVariableOutputOp(v);
            if (op != null) {
                for (String in : op.argNames()) {
                    todo.push(in);
                }
            }
        }
        return seen;
    }

    /** Points every variable and constant of a copy at the source's arrays (no copy: training updates are seen). */
    private SameDiff shareArrays(SameDiff copy) {
        copy.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), true);
        for (SDVariable v : copy.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
                INDArray a = source.getArrForVarName(v.name());
                if (a != null) {
                    v.setArray(a);
                }
            }
        }
        return copy;
    }

    @Override
    public synchronized List<LayerInfo> layers() {
        if (layers == null) {
            Map<String, INDArray> acts = null;
            if (spec.hasSpatialSize() && spec.channels() > 0) {
                acts = SameDiffSessions.output(forward, Map.of(input, Nd4j.zeros(dataType, 1, spec.channels(), spec.height(),
                        spec.width())), layerNames.toArray(new String[0]));
            }
            List<LayerInfo> out = new ArrayList<>();
            for (String l : layerNames) {
                SameDiffOp op = forward.getOps().get(forward.getVariableOutputOp(l).getOwnName());
                String type = op == null ? "variable" : op.getOp().opName();
                long[] shape = acts == null ? null : Arrays.copyOfRange(acts.get(l).shape(), 1, acts.get(l).rank());
                out.add(new LayerInfo(l, type, shape, l.equals(logits)));
            }
            layers = Collections.unmodifiableList(out);
        }
        return layers;
    }

    @Override
    String resolve(String layer) {
        return layer == null ? logits : layer(layer).name();
    }

    @Override
    GradientEngine engine() {
        return engine;
    }

    /**
     * The graph's engine: forward passes on the shared forward copy; gradients by the op-by-op reverse pass of a
     * private copy per rule, seeded layers and input size; replaced activations by a rewired copy. Affine seeds are
     * not completed inside the pass (the adapter seeds from a forward pass instead).
     */
    private final class GraphEngine implements GradientEngine {
        @Override
        public Map<String, INDArray> forward(INDArray x, Collection<String> layers) {
            return run(x, new ArrayList<>(layers));
        }

        @Override
        public Map<String, INDArray> forward(INDArray x, Collection<String> layers, String overrideLayer,
                INDArray override) {
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (String l : layers) {
                out.put(l, injected(x, overrideLayer, override, l));
            }
            return out;
        }

        @Override
        public boolean affineSeeds() {
            return false;
        }

        @Override
        public InputPass inputGradient(INDArray x, List<Seed> seeds, ReluRule rule) {
            List<String> layers = new ArrayList<>();
            List<INDArray> offsets = new ArrayList<>();
            for (Seed s : seeds) {
                if (s.affine()) {
                    throw new IllegalStateException("affine seeds are not supported on SameDiff graphs");
                }
                layers.add(s.layer());
                offsets.add(s.offset());
            }
            Map<String, INDArray> r = grad(x, layers, offsets, input, rule);
            Map<String, INDArray> acts = new LinkedHashMap<>();
            layers.forEach(l -> acts.put(l, r.get(l)));
            return new InputPass(acts, r.get(input));
        }

        @Override
        public LayerPass layerGradient(INDArray x, String layer, INDArray seed, String wrtLayer, INDArray override,
                ReluRule rule) {
            if (override == null) {
                Map<String, INDArray> f = run(x, List.of(layer, wrtLayer));
                Map<String, INDArray> r = grad(x, List.of(layer), List.of(seed), wrtLayer, rule);
                return new LayerPass(f.get(layer), f.get(wrtLayer), r.get(wrtLayer));
            }
            if (layer.equals(wrtLayer)) {
                return new LayerPass(override.dup(), override, seed.dup());
            }
            // one reverse pass of the rewired copy gives the seeded layer's activation and the gradient
            Map<String, INDArray> r = reverse(x, wrtLayer, override, List.of(layer), List.of(seed), rule, wrtLayer,
                    SameDiffReverse.Propagation.GRADIENT, null);
            return new LayerPass(r.get(layer), override, r.get(wrtLayer));
        }

        @Override
        public String name() {
            return "samediff-graph";
        }

        @Override
        public List<String> unsupportedLayers() {
            return List.of();
        }
    }

    /**
     * Measured receptive field: the bounding box of the input positions where the unit's input gradient is non-zero,
     * over a few random inputs (for piecewise-linear networks this is the field of the paths that are active).
     */
    @Override
    public synchronized ReceptiveField receptiveField(String layer, long y, long x) {
        LayerInfo info = layer(layer);
        if (!spec.hasSpatialSize()) {
            throw new IllegalStateException("Receptive fields need the input size: set it in the InputSpec");
        }
        long[] shape = info.outputShape();
        InputChecks.unitPosition(info, y, x);
        return fields.computeIfAbsent(layer + "@" + y + "," + x, k -> ReceptiveFields.measure(spec, dataType, shape,
                y, x, (probe, seed) -> grad(probe, List.of(layer), List.of(seed), input, ReluRule.NORMAL)
                        .get(input)));
    }

    @Override
    public InputSpec inputSpec() {
        return spec;
    }

    @Override
    public String outputLayer() {
        return logits;
    }

    @Override
    public int numClasses() {
        long[] s = layer(logits).outputShape();
        return s != null && s.length == 1 ? (int) s[0] : -1;
    }

    @Override
    public DataType dataType() {
        return dataType;
    }

    @Override
    public ExecutionPath executionPath() {
        return ExecutionPath.SAMEDIFF;
    }

    @Override
    public List<String> fallbackLayers() {
        return List.of();
    }

    @Override
    public int maxBatchSize() {
        return maxBatch;
    }

    private synchronized Map<String, INDArray> run(INDArray x, List<String> names) {
        Map<String, INDArray> out = SameDiffSessions.output(forward, Map.of(input, x), names.toArray(new String[0]));
        Map<String, INDArray> res = new LinkedHashMap<>();
        for (String n : names) {
            res.put(n, out.get(n).detach());
        }
        return res;
    }

    /**
     * Gradient of {@code sum_i sum(act(layers[i]) * seeds[i])} with respect to {@code wrt} (the input or a hidden
     * variable) under {@code rule}, keyed by {@code wrt}, plus the activations of {@code layers}.
     */
    private Map<String, INDArray> grad(INDArray x, List<String> layers, List<INDArray> seeds, String wrt,
            ReluRule rule) {
        return reverse(x, null, null, layers, seeds, rule, wrt, SameDiffReverse.Propagation.GRADIENT, null);
    }

    /**
     * Runs the op-by-op reverse pass of a private copy (built once per rule, seeded layers, {@code wrt} and input
     * size). {@code injectAt}, when given, is a hidden variable fed from {@code override}.
     */
    private synchronized Map<String, INDArray> reverse(INDArray x, String injectAt, INDArray override,
            List<String> layers, List<INDArray> seeds, ReluRule rule, String wrt, SameDiffReverse.Propagation prop,
            Map<String, INDArray> extraFeeds) {
        String key = "reverse|" + rule + "|" + prop.key() + "|" + String.join(",", layers) + "|" + wrt + "|"
                + injectAt + "|" + Arrays.toString(Arrays.copyOfRange(x.shape(), 1, x.rank()));
        SameDiff g = gradients.computeIfAbsent(key, k -> {
            SameDiff copy = injectAt == null ? shareArrays(structureCopy(source)) : rewired(injectAt);
            Map<String, INDArray> probe = new HashMap<>();
            probe.put(input, Nd4j.zeros(dataType, withBatch(x.shape(), 1)));
            if (injectAt != null) {
                probe.put(INJECT, Nd4j.zeros(dataType, withBatch(override.shape(), 1)));
            }
            return SameDiffReverse.build(copy, layers, seeds, rule, injectAt == null ? wrt : INJECT, probe, prop);
        });
        Map<String, INDArray> feeds = new HashMap<>();
        feeds.put(input, x);
        if (extraFeeds != null) {
            feeds.putAll(extraFeeds);
        }
        if (injectAt != null) {
            feeds.put(INJECT, override);
        }
        for (int i = 0; i < layers.size(); i++) {
            feeds.put(SameDiffReverse.seedName(i), seeds.get(i));
        }
        List<String> outs = new ArrayList<>(layers);
        outs.add(SameDiffReverse.GRADIENT);
        Map<String, INDArray> out = SameDiffSessions.output(g, feeds, outs.toArray(new String[0]));
        Map<String, INDArray> res = new LinkedHashMap<>();
        for (String l : layers) {
            res.put(l, out.get(l).detach());
        }
        res.put(wrt, out.get(SameDiffReverse.GRADIENT).detach());
        return res;
    }

    private static long[] withBatch(long[] shape, long n) {
        long[] s = shape.clone();
        s[0] = n;
        return s;
    }

    @Override
    public InterpretableModel inDoublePrecision() {
        if (dataType == DataType.DOUBLE) {
            return this;
        }
        SameDiff copy = SameDiffSessions.copyStructure(source);
        Map<String, DataType> types = new HashMap<>();
        for (SDVariable v : copy.variables()) {
            if (v.dataType().isFPType() && v.getVariableType() != VariableType.ARRAY) {
                types.put(v.name(), DataType.DOUBLE);
            }
        }
        try {
            copy.convertDataTypes(types);
        } catch (RuntimeException e) {
            throw new org.deeplearning4j.interpret.InterpretException("This SameDiff graph cannot be converted to "
                    + "double precision for a double-precision check (" + e.getMessage() + "); build it in "
                    + "DataType.DOUBLE to check it", e);
        }
        return new SameDiffModel(copy, input, logits, layerNamesOrEmpty(), spec, maxBatch, classifier);
    }

    @Override
    public List<String> parameterLayers() {
        return new ArrayList<>(parameterArrays().keySet());
    }

    /**
     * @return per op that reads parameters (named by its first output), in op order: the trainable variables and
     *         floating-point constants of rank &gt;= 1 it reads, batch-normalization statistics excepted
     */
    private Map<String, List<String>> parameterArrays() {
        java.util.Set<String> onPath = ancestors(source, List.of(logits));
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (SameDiffOp op : SameDiffSessions.opsInOrder(source)) {
            if (op.getOutputsOfOp() == null || op.getOutputsOfOp().isEmpty() || op.getInputsToOp() == null
                    || !onPath.contains(op.getOutputsOfOp().get(0))) {
                continue;
            }
            List<String> params = new ArrayList<>();
            List<String> ins = op.getInputsToOp();
            for (int i = 0; i < ins.size(); i++) {
                SDVariable v = source.getVariable(ins.get(i));
                boolean statistics = "batchnorm".equals(op.getOp().opName()) && (i == 1 || i == 2);
                if (v != null && !statistics && v.dataType().isFPType() && v.getArr() != null && v.getArr().rank() >= 1
                        && (v.getVariableType() == VariableType.VARIABLE
                        || v.getVariableType() == VariableType.CONSTANT)) {
                    params.add(v.name());
                }
            }
            if (!params.isEmpty()) {
                out.put(op.getOutputsOfOp().get(0), params);
            }
        }
        return out;
    }

    @Override
    public InterpretableModel randomizedCopy(List<String> names, long seed) {
        Map<String, List<String>> byLayer = parameterArrays();
        for (String n : names) {
            if (!byLayer.containsKey(n)) {
                throw new IllegalArgumentException("Layer '" + n + "' reads no parameters to randomize; layers with "
                        + "parameters: " + byLayer.keySet());
            }
        }
        SameDiff copy = SameDiffSessions.copyStructure(source);
        for (String n : names) {
            for (String p : byLayer.get(n)) {
                INDArray original = source.getVariable(p).getArr();
                double mean = original.meanNumber().doubleValue();
                double sd = original.length() > 1 ? original.stdNumber().doubleValue() : 0.0;
                java.util.SplittableRandom rng = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L
                        ^ p.hashCode());
                double[] v = new double[(int) original.length()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = mean + sd * org.deeplearning4j.interpret.internal.Gaussians.next(rng);
                }
                INDArray fresh = Nd4j.create(v, original.shape(), DataType.DOUBLE).castTo(original.dataType());
                copy.getVariable(p).setArray(fresh);
            }
        }
        return new SameDiffModel(copy, input, logits, layerNamesOrEmpty(), spec, maxBatch, classifier);
    }

    @Override
    public org.deeplearning4j.interpret.gradient.ReluRuleCoverage reluRuleCoverage() {
        List<String> applied = new ArrayList<>();
        List<String> exact = new ArrayList<>();
        for (SameDiffOp op : SameDiffSessions.opsInOrder(source)) {
            String name = op.getOp().opName();
            String out = op.getOutputsOfOp() == null || op.getOutputsOfOp().isEmpty() ? op.getName()
                    : op.getOutputsOfOp().get(0);
            if (SameDiffReverse.isRectifier(name)) {
                applied.add(out + " (" + name + ")");
            } else if (SameDiffReverse.isOtherActivation(name) && !out.equals(logits)) {
                exact.add(out + " (" + name + ")");
            }
        }
        return new org.deeplearning4j.interpret.gradient.ReluRuleCoverage(applied, exact);
    }

    /**
     * Layer-wise relevance propagation on the graph. A uniform epsilon composite runs the op-by-op reverse pass with
     * each element-wise activation's derivative replaced by {@code f(z) / (z + eps sign z)}, then multiplies by the
     * input: epsilon sits at every activation's input (the whole affine map before it, batch norm and biases
     * included). Any other composite propagates relevance itself ({@link SameDiffReverse.Propagation#relevance}):
     * each weighted op ({@code conv2d}, {@code matmul}, {@code xw_plus_b}) gets its rule with the bias, scaling and
     * batch-norm ops after it folded in ({@link SameDiffLrp}), like DL4J networks' layers.
     */
    @Override
    public org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk lrp(INDArray input, Target target,
            org.deeplearning4j.interpret.gradient.LrpComposite composite) {
        if (composite == null) {
            throw new IllegalArgumentException("composite is null: use e.g. LrpComposite.uniform(LrpRule.epsilon(1e-6))");
        }
        org.deeplearning4j.interpret.gradient.LrpRule uniform = composite.uniformRule().orElse(null);
        boolean epsilon = uniform != null && uniform.kind() == org.deeplearning4j.interpret.gradient.LrpRule.Kind.EPSILON;
        List<String> weighted = SameDiffLrp.layers(source, this.input, ancestors(source, List.of(logits)));
        for (String name : composite.overrides().keySet()) {
            if (!weighted.contains(name)) {
                throw new IllegalArgumentException("The LRP composite names layer '" + name + "', which is not the "
                        + "output of a convolution or matrix product between the input and the logits; those are "
                        + weighted);
            }
        }
        SameDiffReverse.Propagation prop = epsilon ? SameDiffReverse.Propagation.lrp(uniform.epsilon())
                : SameDiffReverse.Propagation.relevance(composite, weighted);
        return walk(input, null, false, target, (chunk, r, t, layer) -> {
            INDArray act = run(chunk, List.of(layer)).get(layer);
            INDArray seed = org.deeplearning4j.interpret.internal.engine.RuleWalker.linearSeed(t, act, layer);
            INDArray relevance = seed.mul(act);
            INDArray g = relevance;
            if (epsilon) {
                INDArray sign = act.gte(0.0).castTo(act.dataType()).muli(2).subi(1);
                g = org.deeplearning4j.interpret.internal.engine.RuleWalker.stabilisedRatio(relevance,
                        act.add(sign.muli(uniform.epsilon())));
            }
            INDArray back = reverse(chunk, null, null, List.of(layer), List.of(g), ReluRule.NORMAL, this.input, prop,
                    null).get(this.input);
            return new org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk(epsilon ? back.mul(chunk) : back,
                    relevance.reshape(act.size(0), -1).sum(1), null);
        });
    }

    /** One chunk's pass of a reference-based rule: the input's contributions from the [input; reference] batch. */
    private interface ReferencePass {
        INDArray contributions(INDArray xc, INDArray rc, INDArray both, INDArray seed, int n, String layer);
    }

    /**
     * Runs a reference-based rule chunk by chunk over the batch [input; reference] and collects the target's value
     * on both halves.
     */
    private org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk overReference(INDArray input, INDArray reference,
            Target target, ReferencePass pass) {
        return walk(input, reference, true, target, (xc, rc, t, layer) -> {
            int n = (int) xc.size(0);
            INDArray both = Nd4j.concat(0, xc, rc);
            INDArray act = run(both, List.of(layer)).get(layer);
            INDArray actX = act.get(NDArrayIndex.interval(0, n));
            INDArray actR = act.get(NDArrayIndex.interval(n, 2 * n));
            INDArray seed = org.deeplearning4j.interpret.internal.engine.RuleWalker.linearSeed(t, actX, layer);
            return new org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk(pass.contributions(xc, rc, both, seed, n,
                    layer), seed.mul(actX).reshape(n, -1).sum(1), seed.mul(actR).reshape(n, -1).sum(1));
        });
    }

    /** @return for each row of an [input; reference] batch of 2n rows, the row of the other half */
    private static int[] partners(int n) {
        int[] partner = new int[2 * n];
        for (int i = 0; i < n; i++) {
            partner[i] = n + i;
            partner[n + i] = i;
        }
        return partner;
    }

    /**
     * DeepLIFT (Rescale) on the graph: one reverse pass over the batch [input; reference], with each element-wise
     * activation's derivative replaced by the secant slope between a row and its partner; maxima pass gradients.
     */
    @Override
    public org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk deepLift(INDArray input, INDArray reference,
            Target target) {
        return overReference(input, reference, target, (xc, rc, both, seed, n, layer) -> {
            INDArray m = reverse(both, null, null, List.of(layer), List.of(Nd4j.concat(0, seed,
                    Nd4j.zerosLike(seed))), ReluRule.NORMAL, this.input, SameDiffReverse.Propagation.rescale(),
                    Map.of(SameDiffReverse.SWAP, Nd4j.createFromArray(partners(n)))).get(this.input);
            return m.get(NDArrayIndex.interval(0, n)).mul(xc.sub(rc));
        });
    }

    /**
     * DeepLIFT's RevealCancel rule on the graph ({@link SameDiffRevealCancel}): one run over the batch [input;
     * reference] with the differences' positive and negative parts packed as a batch of the same size.
     */
    @Override
    public org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk revealCancel(INDArray input, INDArray reference,
            Target target) {
        return overReference(input, reference, target, (xc, rc, both, seed, n, layer) -> {
            int[] inputRows = new int[2 * n];
            int[] referenceRows = new int[2 * n];
            double[] sign = new double[2 * n];
            for (int i = 0; i < n; i++) {
                inputRows[i] = i;
                inputRows[n + i] = i;
                referenceRows[i] = n + i;
                referenceRows[n + i] = n + i;
                sign[i] = 1;
                sign[n + i] = -1;
            }
            INDArray d = xc.sub(rc);
            INDArray pos = org.nd4j.linalg.ops.transforms.Transforms.relu(d, true);
            INDArray parts = Nd4j.concat(0, pos, d.sub(pos));
            Map<String, INDArray> extra = new HashMap<>();
            extra.put(SameDiffReverse.SWAP, Nd4j.createFromArray(partners(n)));
            extra.put(SameDiffRevealCancel.INPUT_ROWS, Nd4j.createFromArray(inputRows));
            extra.put(SameDiffRevealCancel.REFERENCE_ROWS, Nd4j.createFromArray(referenceRows));
            extra.put(SameDiffRevealCancel.SIGN, Nd4j.createFromArray(sign).castTo(dataType));
            extra.put(SameDiffRevealCancel.DELTA, parts);
            INDArray m = reverse(both, null, null, List.of(layer), List.of(Nd4j.concat(0, seed, seed)),
                    ReluRule.NORMAL, this.input, SameDiffReverse.Propagation.revealCancel(), extra).get(this.input);
            INDArray contributions = m.mul(parts);
            return contributions.get(NDArrayIndex.interval(0, n)).add(contributions.get(NDArrayIndex.interval(n,
                    2 * n)));
        });
    }

    @Override
    public boolean softmaxOutput() {
        return classifier;
    }

    /**
     * A copy in which every op that reads {@code layer} reads a placeholder instead; other paths (e.g. a skip
     * connection around the layer) still start from the input. One per layer.
     */
    private SameDiff injectedGraph(String layer) {
        return gradients.computeIfAbsent("inject|" + layer, k -> rewired(layer));
    }

    private SameDiff rewired(String layer) {
        {
            SameDiff copy = shareArrays(structureCopy(source));
            SDVariable act = copy.getVariable(layer);
            long[] ls = layer(layer).outputShape();
            long[] shape = new long[ls.length + 1];
            shape[0] = -1;
            System.arraycopy(ls, 0, shape, 1, ls.length);
            SDVariable inject = copy.placeHolder(INJECT, act.dataType(), shape);
            for (SameDiffOp op : new ArrayList<>(copy.getOps().values())) {
                String[] args = op.getOp().argNames();
                for (int i = 0; i < args.length; i++) {
                    if (args[i].equals(layer)) {
                        copy.replaceArgFor(i, inject, op.getOp());
                    }
                }
            }
            return copy;
        }
    }

    private synchronized INDArray injected(INDArray x, String layer, INDArray override, String target) {
        if (layer.equals(target)) {
            return override.dup();
        }
        SameDiff g = injectedGraph(layer);
        return SameDiffSessions.output(g, Map.of(input, x, INJECT, override), target).get(target).detach();
    }

    @Override
    public String toString() {
        return "SameDiff[" + input + " -> " + logits + ", " + spec + ", " + dataType + "]";
    }
}
