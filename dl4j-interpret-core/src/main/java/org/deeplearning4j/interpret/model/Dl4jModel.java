package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.gradient.GradientEngine;
import org.deeplearning4j.interpret.gradient.LayerLoopEngine;
import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.gradient.SameDiffMirror;
import org.deeplearning4j.interpret.internal.NativeMemory;
import org.deeplearning4j.interpret.target.LayerObjective;
import org.deeplearning4j.interpret.target.Target;
import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The {@link InterpretableModel} for DL4J networks; a MultiLayerNetwork is analysed as an equivalent graph. */
final class Dl4jModel implements InterpretableModel {
    /** Warns once when inputs look like another scale than the spec's. */
    private final InputChecks.RangeWatch rangeWatch = new InputChecks.RangeWatch();
    private static final Logger log = LoggerFactory.getLogger(Dl4jModel.class);

    private final String kind;
    private final ComputationGraphConfiguration conf;
    private final Supplier<INDArray> params;
    private final String outputName;
    private final InputSpec spec;
    private final ExecutionPath requested;
    private final int maxBatch;
    private final DataType dataType;
    private final int numClasses;

    private INDArray boundParams;
    private GradientEngine engine;
    private List<LayerInfo> layers;
    private ReceptiveFields receptiveFields;

    Dl4jModel(String kind, ComputationGraphConfiguration conf, Supplier<INDArray> params, InputSpec spec,
            ExecutionPath requested, int maxBatch) {
        this.kind = kind;
        this.params = params;
        this.spec = spec;
        this.requested = requested;
        this.maxBatch = maxBatch;
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw new InterpretException("Expected a network with one input and one output, found inputs "
                    + conf.getNetworkInputs() + " and outputs " + conf.getNetworkOutputs()
                    + "; build a single-input single-output graph for interpretation");
        }
        List<String> refused = org.deeplearning4j.interpret.gradient.LayerCatalogue.refusals(conf);
        if (!refused.isEmpty()) {
            throw new InterpretException("Cannot interpret this network: " + String.join("; ", refused));
        }
        this.outputName = conf.getNetworkOutputs().get(0);
        this.conf = PreActivations.split(conf, outputName);
        INDArray p = params.get();
        if (p == null || p.isEmpty()) {
            throw new IllegalArgumentException("The network has no parameters; call net.init() before interpreting it");
        }
        this.dataType = p.dataType();
        GraphVertex out = conf.getVertices().get(outputName);
        if (out instanceof LayerVertex && ((LayerVertex) out).getLayerConf().getLayer() instanceof FeedForwardLayer) {
            this.numClasses = (int) ((FeedForwardLayer) ((LayerVertex) out).getLayerConf().getLayer()).getNOut();
        } else {
            this.numClasses = -1;
        }
        checkInputFits();
    }

    /**
     * Runs one zero image of the spec's shape when the spec gives one, so that a spec the network cannot take (a
     * dense layer sized for other images, other channels) fails here, naming the spec, not later in a native op.
     */
    private void checkInputFits() {
        if (!spec.hasSpatialSize() || spec.channels() <= 0) {
            return;
        }
        INDArray probe = Nd4j.zeros(dataType, 1, spec.channels(), spec.height(), spec.width());
        try {
            engine().forward(probe, List.of(outputName));
        } catch (RuntimeException e) {
            String cause = String.valueOf(e.getMessage()).split("\n")[0];
            throw new IllegalArgumentException("This network cannot take " + spec.channels() + "x" + spec.height()
                    + "x" + spec.width() + " inputs (the InputSpec's shape): " + cause + ". Give the shape the network "
                    + "was trained on, e.g. InputSpec.builder().shape(c, h, w) (CLI: --shape C,H,W)", e);
        }
    }

    private org.deeplearning4j.interpret.gradient.RuleWalker walker;
    private INDArray walkerParams;

    private synchronized org.deeplearning4j.interpret.gradient.RuleWalker walker() {
        NativeMemory.reclaim();
        INDArray p = params.get();
        if (walker == null || !sameStorage(p, walkerParams)) {
            walkerParams = p;
            GradientEngine e = engine();
            walker = new org.deeplearning4j.interpret.gradient.RuleWalker(buildShadow(p), conf, outputName,
                    e instanceof SameDiffMirror ? (SameDiffMirror) e : null);
        }
        return walker;
    }

    @Override
    public org.deeplearning4j.interpret.gradient.RuleWalker.Walk lrp(INDArray input, Target target,
            org.deeplearning4j.interpret.gradient.LrpComposite composite) {
        if (composite == null) {
            throw new IllegalArgumentException("composite is null: use e.g. LrpComposite.uniform(LrpRule.epsilon(1e-6))");
        }
        return rules(input, null, target, (w, x, r, t) -> w.lrp(x, t, composite));
    }

    @Override
    public org.deeplearning4j.interpret.gradient.RuleWalker.Walk deepLift(INDArray input, INDArray reference,
            Target target) {
        return rules(input, requireReference(reference), target, (w, x, r, t) -> w.deepLift(x, r, t));
    }

    @Override
    public org.deeplearning4j.interpret.gradient.RuleWalker.Walk revealCancel(INDArray input, INDArray reference,
            Target target) {
        return rules(input, requireReference(reference), target, (w, x, r, t) -> w.revealCancel(x, r, t));
    }

    private static INDArray requireReference(INDArray reference) {
        if (reference == null) {
            throw new IllegalArgumentException("reference is null");
        }
        return reference;
    }

    private interface RuleCall {
        org.deeplearning4j.interpret.gradient.RuleWalker.Walk run(org.deeplearning4j.interpret.gradient.RuleWalker w,
                INDArray x, INDArray ref, Target t);
    }

    private org.deeplearning4j.interpret.gradient.RuleWalker.Walk rules(INDArray input, INDArray reference,
            Target target, RuleCall call) {
        INDArray x = prepareInput(input);
        INDArray ref = reference == null ? null : InputChecks.reference(x, reference);
        target.validateBatch(x.size(0));
        resolve(target.layer());
        org.deeplearning4j.interpret.gradient.RuleWalker w = walker();
        List<INDArray> attr = new ArrayList<>();
        List<INDArray> vals = new ArrayList<>();
        List<INDArray> refVals = new ArrayList<>();
        for (long from = 0; from < x.size(0); from += maxBatch) {
            INDArray chunk = Batches.chunk(x, from, maxBatch);
            INDArray refChunk = ref == null ? null : Batches.chunk(ref, from, maxBatch);
            Target t = target.slice((int) from, (int) (from + chunk.size(0)));
            org.deeplearning4j.interpret.gradient.RuleWalker.Walk r = call.run(w, chunk, refChunk, t);
            attr.add(r.attributions);
            vals.add(r.values);
            if (r.referenceValues != null) {
                refVals.add(r.referenceValues);
            }
        }
        return new org.deeplearning4j.interpret.gradient.RuleWalker.Walk(Batches.concat(attr), Batches.concat(vals),
                refVals.isEmpty() ? null : Batches.concat(refVals));
    }

    private synchronized GradientEngine engine() {
        // every engine call starts here: the native garbage of earlier work goes before more is allocated
        NativeMemory.reclaim();
        INDArray p = params.get();
        if (engine != null && sameStorage(p, boundParams)) {
            return engine;
        }
        // First use, or the network's parameter array was replaced (e.g. init() called again): rebind.
        boundParams = p;
        List<String> unsupported = Collections.emptyList();
        if (requested != ExecutionPath.DL4J_LAYERS) {
            ComputationGraph shadow = buildShadow(p);
            unsupported = SameDiffMirror.unsupportedLayers(shadow);
            if (unsupported.isEmpty()) {
                engine = new SameDiffMirror(shadow);
                log.debug("{} '{}': fast SameDiff path (libnd4j ops) for all layers", kind, outputName);
                return engine;
            }
            if (requested == ExecutionPath.SAMEDIFF) {
                throw new InterpretException("The SameDiff fast path cannot run these layers: " + unsupported
                        + ". Use ExecutionPath.AUTO or DL4J_LAYERS to run them through DL4J's own layers.");
            }
            log.warn("These layers are not covered by the fast SameDiff path, so the whole network runs on the "
                    + "slower DL4J-layer path: {}", unsupported);
        }
        engine = new LayerLoopEngine(conf, p, outputName, unsupported);
        return engine;
    }

    /**
     * DL4J's {@code params()} returns a new rank-1 view on every call, so identity is checked on the native storage:
     * the same memory address and length mean the same parameters (updated in place by training).
     */
    static boolean sameStorage(INDArray a, INDArray b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null || a.length() != b.length() || a.dataType() != b.dataType()) {
            return false;
        }
        return a.data().address() + a.offset() * a.dataType().width()
                == b.data().address() + b.offset() * b.dataType().width();
    }

    private ComputationGraph buildShadow(INDArray p) {
        return org.deeplearning4j.interpret.gradient.AnalysisCopies.normal(conf, p, outputName);
    }

    @Override
    public synchronized List<LayerInfo> layers() {
        if (layers == null) {
            layers = describeLayers();
        }
        return layers;
    }

    private List<LayerInfo> describeLayers() {
        List<String> order = new ArrayList<>();
        ComputationGraph probe = new ComputationGraph(conf.clone());
        probe.init(params.get(), false);
        for (int idx : probe.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex v = probe.getVertices()[idx];
            if (!v.isInputVertex()) {
                order.add(v.getVertexName());
            }
        }
        Map<String, INDArray> acts = null;
        if (spec.hasSpatialSize() && spec.channels() > 0) {
            INDArray probeInput = Nd4j.zeros(dataType, 1, spec.channels(), spec.height(), spec.width());
            acts = engine().forward(probeInput, order);
        }
        List<LayerInfo> out = new ArrayList<>();
        for (String name : order) {
            GraphVertex cv = conf.getVertices().get(name);
            String type = cv instanceof LayerVertex ? ((LayerVertex) cv).getLayerConf().getLayer().getClass()
                    .getSimpleName() : cv.getClass().getSimpleName();
            if (name.endsWith(PreActivations.SUFFIX)) {
                type += " (pre-activation)";
            } else if (conf.getVertices().containsKey(name + PreActivations.SUFFIX)) {
                GraphVertex pre = conf.getVertices().get(name + PreActivations.SUFFIX);
                type = ((LayerVertex) pre).getLayerConf().getLayer().getClass().getSimpleName() + " ("
                        + ((org.deeplearning4j.nn.conf.layers.ActivationLayer) ((LayerVertex) cv).getLayerConf()
                        .getLayer()).getActivationFn() + ")";
            }
            long[] shape = acts == null ? null : Arrays.copyOfRange(acts.get(name).shape(), 1, acts.get(name).rank());
            out.add(new LayerInfo(name, type, shape, name.equals(outputName)));
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public synchronized ReceptiveField receptiveField(String layer, long y, long x) {
        LayerInfo info = layer(layer);
        if (!spec.hasSpatialSize()) {
            throw new IllegalStateException("Receptive fields need the input size: pass Models.builder(net)"
                    + ".inputSpec(InputSpec.builder().shape(c, h, w).build())");
        }
        InputChecks.unitPosition(info, y, x);
        if (receptiveFields == null) {
            Map<String, long[]> sizes = new java.util.HashMap<>();
            List<String> order = new ArrayList<>();
            order.add(conf.getNetworkInputs().get(0));
            sizes.put(conf.getNetworkInputs().get(0), new long[] {spec.height(), spec.width()});
            for (LayerInfo l : layers()) {
                order.add(l.name());
                long[] s = l.outputShape();
                sizes.put(l.name(), s.length == 3 ? new long[] {s[1], s[2]} : null);
            }
            receptiveFields = new ReceptiveFields(conf, order, sizes);
        }
        ReceptiveField analytic = receptiveFields.field(layer, y, x, spec.height(), spec.width());
        if (analytic != null) {
            return analytic;
        }
        long[] unit = info.outputShape();
        GradientEngine e = engine();
        return ReceptiveFields.measure(spec, dataType, unit, y, x, (probe, seed) -> guard(() -> e.inputGradient(
                probe, layer, seed, ReluRule.NORMAL)[1], probe));
    }

    private String resolve(String layer) {
        if (layer == null) {
            return outputName;
        }
        if (!conf.getVertices().containsKey(layer) || conf.getNetworkInputs().contains(layer)) {
            layer(layer); // throws with the list of valid names
        }
        return layer;
    }

    @Override
    public InputSpec inputSpec() {
        return spec;
    }

    @Override
    public String outputLayer() {
        return outputName;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public DataType dataType() {
        return dataType;
    }

    @Override
    public ExecutionPath executionPath() {
        return engine() instanceof SameDiffMirror ? ExecutionPath.SAMEDIFF : ExecutionPath.DL4J_LAYERS;
    }

    @Override
    public List<String> fallbackLayers() {
        return engine().unsupportedLayers();
    }

    @Override
    public int maxBatchSize() {
        return maxBatch;
    }

    @Override
    public INDArray prepareInput(INDArray input) {
        INDArray x = InputChecks.prepare(spec, dataType, input);
        rangeWatch.check(spec, x, log);
        return x;
    }

    @Override
    public INDArray logits(INDArray input) {
        return activations(input, outputName).get(outputName);
    }

    @Override
    public Map<String, INDArray> activations(INDArray input, String... layerNames) {
        List<String> names = new ArrayList<>();
        for (String l : layerNames) {
            names.add(resolve(l));
        }
        INDArray x = prepareInput(input);
        GradientEngine e = engine();
        Map<String, List<INDArray>> parts = new java.util.LinkedHashMap<>();
        for (String n : names) {
            parts.put(n, new ArrayList<>());
        }
        for (long from = 0; from < x.size(0); from += maxBatch) {
            INDArray chunk = Batches.chunk(x, from, maxBatch);
            Map<String, INDArray> acts = guard(() -> e.forward(chunk, names), chunk);
            for (String n : names) {
                parts.get(n).add(acts.get(n));
            }
        }
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, List<INDArray>> en : parts.entrySet()) {
            out.put(en.getKey(), Batches.concat(en.getValue()));
        }
        return out;
    }

    @Override
    public INDArray values(INDArray input, Target target) {
        String layer = resolve(target.layer());
        INDArray x = prepareInput(input);
        target.validateBatch(x.size(0));
        List<INDArray> vals = new ArrayList<>();
        GradientEngine e = engine();
        for (long from = 0; from < x.size(0); from += maxBatch) {
            INDArray chunk = Batches.chunk(x, from, maxBatch);
            INDArray act = guard(() -> e.forward(chunk, List.of(layer)), chunk).get(layer);
            Target t = target.slice((int) from, (int) (from + chunk.size(0)));
            t.validate(layer, act.shape());
            vals.add(t.value(act));
        }
        return Batches.concat(vals);
    }

    @Override
    public ObjectiveGradient gradient(INDArray input, Target target, ReluRule rule) {
        String layer = resolve(target.layer());
        INDArray x = prepareInput(input);
        target.validateBatch(x.size(0));
        GradientEngine e = engine();
        List<INDArray> vals = new ArrayList<>();
        List<INDArray> grads = new ArrayList<>();
        long[] actShape = knownShape(layer);
        for (long from = 0; from < x.size(0); from += maxBatch) {
            INDArray chunk = Batches.chunk(x, from, maxBatch);
            Target t = target.slice((int) from, (int) (from + chunk.size(0)));
            INDArray s = seed(t, layer, actShape, chunk, () -> e.forward(chunk, List.of(layer)).get(layer));
            INDArray[] r = guard(() -> e.inputGradient(chunk, layer, s, rule), chunk);
            vals.add(t.value(r[0]));
            grads.add(r[1]);
        }
        return new ObjectiveGradient(Batches.concat(vals), Batches.concat(grads));
    }

    @Override
    public ObjectiveGradient gradient(INDArray input, LayerObjective objective, ReluRule rule) {
        List<String> names = objective.layers();
        for (String n : names) {
            resolve(n);
        }
        INDArray x = prepareInput(input);
        GradientEngine e = engine();
        Map<String, INDArray> seeds;
        Map<String, Double> scales = null;
        Map<String, long[]> known = new java.util.LinkedHashMap<>();
        for (String n : names) {
            long[] s = knownShape(n);
            if (s != null) {
                s[0] = x.size(0);
                known.put(n, s);
            }
        }
        if (objective.gradientDependsOnActivations() && known.size() == names.size()) {
            scales = objective.affineSeedScales(known);
        }
        if (objective.gradientDependsOnActivations() && scales == null) {
            Map<String, INDArray> acts = activations(x, names.toArray(new String[0]));
            objective.validate(Batches.shapes(acts));
            seeds = objective.gradient(acts);
        } else {
            // constant or affine seeds: offsets from zero activations, the rest inside the single pass
            Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
            Map<String, INDArray> zeros = new java.util.LinkedHashMap<>();
            for (String n : names) {
                long[] s = known.get(n);
                if (s == null) {
                    s = guard(() -> e.forward(Batches.chunk(x, 0, maxBatch), List.of(n)), x).get(n).shape();
                    s[0] = x.size(0);
                }
                shapes.put(n, s);
                zeros.put(n, Nd4j.zeros(dataType, s));
            }
            objective.validate(shapes);
            seeds = new java.util.LinkedHashMap<>(objective.gradient(zeros));
            if (scales != null) {
                for (String n : scales.keySet()) {
                    if (scales.get(n) != 0 && seeds.get(n) == null) {
                        seeds.put(n, zeros.get(n));
                    }
                }
            }
        }
        List<String> seeded = new ArrayList<>();
        for (String n : names) {
            if (seeds.get(n) != null) {
                seeded.add(n);
            }
        }
        if (seeded.isEmpty()) {
            throw new IllegalArgumentException("The objective gives no gradient at any of its layers " + names);
        }
        Map<String, List<INDArray>> actParts = new java.util.LinkedHashMap<>();
        List<INDArray> grads = new ArrayList<>();
        final Map<String, Double> scalesFinal = scales;
        for (long from = 0; from < x.size(0); from += maxBatch) {
            INDArray chunk = Batches.chunk(x, from, maxBatch);
            List<INDArray> chunkSeeds = new ArrayList<>();
            for (String n : seeded) {
                chunkSeeds.add(Batches.chunk(seeds.get(n), from, maxBatch));
            }
            double[] sc = new double[seeded.size()];
            for (int i = 0; i < sc.length; i++) {
                sc[i] = scalesFinal == null ? 0 : scalesFinal.getOrDefault(seeded.get(i), 0.0);
            }
            INDArray[] r = guard(() -> e.inputGradient(chunk, seeded, chunkSeeds, sc, rule), chunk);
            for (int i = 0; i < seeded.size(); i++) {
                actParts.computeIfAbsent(seeded.get(i), k -> new ArrayList<>()).add(r[i]);
            }
            grads.add(r[seeded.size()]);
        }
        Map<String, INDArray> acts = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, List<INDArray>> en : actParts.entrySet()) {
            acts.put(en.getKey(), Batches.concat(en.getValue()));
        }
        if (acts.size() < names.size()) {
            acts.putAll(activations(x, names.stream().filter(n -> !acts.containsKey(n)).toArray(String[]::new)));
        }
        return new ObjectiveGradient(objective.value(acts), Batches.concat(grads));
    }

    @Override
    public InterpretableModel inDoublePrecision() {
        if (dataType == DataType.DOUBLE) {
            return this;
        }
        ComputationGraph copy = new ComputationGraph(conf.clone());
        copy.init(params.get(), true);
        ComputationGraph precise = copy.convertDataType(DataType.DOUBLE);
        return new Dl4jModel(kind + " (double-precision copy)", precise.getConfiguration(), precise::params, spec,
                requested, maxBatch);
    }

    @Override
    public List<String> parameterLayers() {
        List<String> out = new ArrayList<>();
        for (LayerInfo info : layers()) {
            if (numParams(info.name()) > 0) {
                String n = info.name();
                out.add(n.endsWith(PreActivations.SUFFIX) ? n.substring(0, n.length() - PreActivations.SUFFIX.length())
                        : n);
            }
        }
        return Collections.unmodifiableList(out);
    }

    private long numParams(String vertex) {
        GraphVertex v = conf.getVertices().get(vertex);
        if (!(v instanceof LayerVertex)) {
            return 0;
        }
        org.deeplearning4j.nn.conf.layers.Layer l = ((LayerVertex) v).getLayerConf().getLayer();
        return l.initializer().numParams(l);
    }

    @Override
    public InterpretableModel randomizedCopy(List<String> names, long seed) {
        List<String> valid = parameterLayers();
        List<String> vertices = new ArrayList<>();
        for (String n : names) {
            if (!valid.contains(n)) {
                throw new IllegalArgumentException("Layer '" + n + "' has no parameters to randomize; layers with "
                        + "parameters: " + valid);
            }
            vertices.add(numParams(n) > 0 ? n : n + PreActivations.SUFFIX);
        }
        ComputationGraph copy = new ComputationGraph(conf.clone());
        copy.init(params.get(), true);
        ComputationGraphConfiguration freshConf = conf.clone();
        // ND4J's generator treats seed 0 as "not seeded" (two inits with seed 0 differ): use a mixed, non-zero seed
        long mixed = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        freshConf.getDefaultConfiguration().setSeed(mixed == 0 ? 1 : mixed);
        ComputationGraph fresh = onOwnThread(() -> {
            ComputationGraph g = new ComputationGraph(freshConf);
            g.init();
            return g;
        });
        for (String v : vertices) {
            for (Map.Entry<String, INDArray> e : fresh.getLayer(v).paramTable().entrySet()) {
                copy.getLayer(v).getParam(e.getKey()).assign(e.getValue().castTo(dataType));
            }
        }
        return new Dl4jModel(kind + " (randomized copy)", copy.getConfiguration(), copy::params, spec, requested,
                maxBatch);
    }

    /**
     * Runs network initialisation on a thread of its own: ND4J's random generator is per thread and DL4J's init
     * re-seeds it, which must not change the caller's random stream (e.g. dropout in the user's training).
     */
    private static <T> T onOwnThread(Supplier<T> work) {
        Object[] result = new Object[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = new Thread(() -> {
            try {
                result[0] = work.get();
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "dl4j-interpret-randomize");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterpretException("Interrupted while initialising a randomized copy", e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        @SuppressWarnings("unchecked")
        T r = (T) result[0];
        return r;
    }

    @Override
    public org.deeplearning4j.interpret.gradient.ReluRuleCoverage reluRuleCoverage() {
        List<String> applied = new ArrayList<>();
        List<String> exact = new ArrayList<>();
        for (LayerInfo info : layers()) {
            GraphVertex cv = conf.getVertices().get(info.name());
            if (info.isOutput() || !(cv instanceof LayerVertex)) {
                continue;
            }
            org.deeplearning4j.nn.conf.layers.Layer l = org.deeplearning4j.interpret.gradient.LayerCatalogue
                    .unwrapFrozen(((LayerVertex) cv).getLayerConf().getLayer());
            org.nd4j.linalg.activations.IActivation a = org.deeplearning4j.interpret.gradient.LayerCatalogue
                    .activationOf(l);
            if (l instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization) {
                continue; // DL4J's batch normalization ignores its configured activation (and so do the engines)
            }
            if (l instanceof org.deeplearning4j.nn.conf.layers.PReLULayer) {
                exact.add(info.name() + " (PReLU)");
            } else if (org.deeplearning4j.interpret.gradient.ActivationRules.isRectifier(a)) {
                applied.add(info.name() + " (" + a + ")");
            } else if (!org.deeplearning4j.interpret.gradient.ActivationRules.isIdentity(a)) {
                exact.add(info.name() + " (" + a + ")");
            }
        }
        return new org.deeplearning4j.interpret.gradient.ReluRuleCoverage(applied, exact);
    }

    @Override
    public boolean softmaxOutput() {
        GraphVertex out = conf.getVertices().get(outputName);
        if (out instanceof LayerVertex) {
            org.deeplearning4j.nn.conf.layers.Layer l = ((LayerVertex) out).getLayerConf().getLayer();
            if (l instanceof org.deeplearning4j.nn.conf.layers.BaseLayer) {
                return ((org.deeplearning4j.nn.conf.layers.BaseLayer) l).getActivationFn()
                        instanceof org.nd4j.linalg.activations.impl.ActivationSoftmax;
            }
        }
        return false;
    }

    @Override
    public LayerGradient layerGradient(INDArray input, Target target, String layer, INDArray override,
            ReluRule rule) {
        String tl = resolve(target.layer());
        String wl = resolve(layer);
        INDArray x = prepareInput(input);
        target.validateBatch(x.size(0));
        InputChecks.override(x, wl, layer(wl).outputShape(), override, dataType);
        GradientEngine e = engine();
        long[] targetShape = knownShape(tl);
        List<INDArray> vals = new ArrayList<>();
        List<INDArray> acts = new ArrayList<>();
        List<INDArray> grads = new ArrayList<>();
        for (long from = 0; from < x.size(0); from += maxBatch) {
            INDArray chunk = Batches.chunk(x, from, maxBatch);
            INDArray ov = override == null ? null : Batches.chunk(override, from, maxBatch);
            Target t = target.slice((int) from, (int) (from + chunk.size(0)));
            INDArray seed = seed(t, tl, targetShape, chunk, () -> (ov == null ? e.forward(chunk, List.of(tl))
                    : e.forward(chunk, List.of(tl), wl, ov)).get(tl));
            INDArray[] r = guard(() -> e.layerGradient(chunk, tl, seed, wl, ov, rule), chunk);
            vals.add(t.value(r[0]));
            acts.add(r[1]);
            grads.add(r[2]);
        }
        return new LayerGradient(Batches.concat(vals), Batches.concat(acts), Batches.concat(grads));
    }

    @Override
    public LocalLayers localLayers(long channels, long height, long width) {
        Map<String, long[]> shapes = new java.util.HashMap<>();
        if (spec.hasSpatialSize() && spec.height() == height && spec.width() == width) {
            layers().forEach(l -> shapes.put(l.name(), l.outputShape())); // measured for the spec's size already
        } else {
            List<String> names = new ArrayList<>();
            layers().forEach(l -> names.add(l.name()));
            engine().forward(Nd4j.zeros(dataType, 1, channels, height, width), names)
                    .forEach((k, v) -> shapes.put(k, Arrays.copyOfRange(v.shape(), 1, v.rank())));
        }
        return Dl4jLocalLayers.of(conf, layers(), new long[] {channels, height, width}, shapes, outputName,
                this::engine, dataType);
    }

    @Override
    public INDArray values(INDArray input, Target target, String layer, INDArray override) {
        String tl = resolve(target.layer());
        String wl = resolve(layer);
        INDArray x = prepareInput(input);
        target.validateBatch(x.size(0));
        if (override == null) {
            throw new IllegalArgumentException("override is null; use values(input, target) without an override");
        }
        InputChecks.override(x, wl, layer(wl).outputShape(), override, dataType);
        GradientEngine e = engine();
        List<INDArray> vals = new ArrayList<>();
        for (long from = 0; from < x.size(0); from += maxBatch) {
            INDArray chunk = Batches.chunk(x, from, maxBatch);
            INDArray ov = Batches.chunk(override, from, maxBatch);
            INDArray act = guard(() -> e.forward(chunk, List.of(tl), wl, ov), chunk).get(tl);
            Target t = target.slice((int) from, (int) (from + chunk.size(0)));
            t.validate(tl, act.shape());
            vals.add(t.value(act));
        }
        return Batches.concat(vals);
    }

    /**
     * The target's gradient seed at its layer for one chunk. A forward pass runs only when the seed depends on the
     * activation (the predicted class, a probability) or the layer's shape is unknown; a linear read-out (a class
     * logit, a channel) needs only the shape.
     */
    private INDArray seed(Target t, String layer, long[] knownShape, INDArray chunk, Supplier<INDArray> forward) {
        if (t.gradientDependsOnActivation() || knownShape == null) {
            INDArray act = guard(forward, chunk);
            t.validate(layer, act.shape());
            return t.gradient(act);
        }
        long[] shape = knownShape.clone();
        shape[0] = chunk.size(0);
        t.validate(layer, shape);
        return t.gradient(Nd4j.zeros(dataType, shape));
    }

    /** Turns a native failure on an unexpected input size into an error that says what to check. */
    private <T> T guard(Supplier<T> call, INDArray chunk) {
        try {
            return call.get();
        } catch (IllegalArgumentException | InterpretException e) {
            throw e;
        } catch (RuntimeException e) {
            if (spec.hasSpatialSize()) {
                throw new InterpretException("The network failed on an input of shape "
                        + Arrays.toString(chunk.shape()) + ": " + e.getMessage(), e);
            }
            throw new IllegalArgumentException("The network could not process an input of shape "
                    + Arrays.toString(chunk.shape()) + " (" + e.getMessage() + "). The model's input size is not "
                    + "recorded in its configuration: pass Models.builder(net).inputSpec(InputSpec.builder()"
                    + ".shape(c, h, w).build()) with the size it was trained on, and resize images to it", e);
        }
    }

    private long[] knownShape(String layer) {
        for (LayerInfo l : layers()) {
            if (l.name().equals(layer) && l.outputShape() != null) {
                long[] s = l.outputShape();
                long[] full = new long[s.length + 1];
                System.arraycopy(s, 0, full, 1, s.length);
                return full;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return kind + "[" + outputName + ", " + spec + ", " + dataType + "]";
    }
}
