package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.internal.engine.LayerRegistry;
import org.deeplearning4j.interpret.internal.engine.LayerRules;
import org.deeplearning4j.interpret.internal.engine.GradientEngine;
import org.deeplearning4j.interpret.internal.engine.LayerLoopEngine;
import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.internal.engine.SameDiffMirror;
import org.deeplearning4j.interpret.internal.NativeMemory;
import org.deeplearning4j.interpret.targets.Target;
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
final class Dl4jModel extends EngineModel {
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

    private org.deeplearning4j.interpret.internal.engine.RuleWalker walker;
    private INDArray walkerParams;

    private synchronized org.deeplearning4j.interpret.internal.engine.RuleWalker walker() {
        NativeMemory.reclaim();
        INDArray p = params.get();
        if (walker == null || !sameStorage(p, walkerParams)) {
            walkerParams = p;
            GradientEngine e = engine();
            walker = new org.deeplearning4j.interpret.internal.engine.RuleWalker(buildShadow(p), conf, outputName,
                    e instanceof SameDiffMirror ? (SameDiffMirror) e : null);
        }
        return walker;
    }

    @Override
    public org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk lrp(INDArray input, Target target,
            org.deeplearning4j.interpret.gradient.LrpComposite composite) {
        if (composite == null) {
            throw new IllegalArgumentException("composite is null: use e.g. LrpComposite.uniform(LrpRule.epsilon(1e-6))");
        }
        return walk(input, null, false, target, (x, r, t, layer) -> walker().lrp(x, t, composite));
    }

    @Override
    public org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk deepLift(INDArray input, INDArray reference,
            Target target) {
        return walk(input, reference, true, target, (x, r, t, layer) -> walker().deepLift(x, r, t));
    }

    @Override
    public org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk revealCancel(INDArray input, INDArray reference,
            Target target) {
        return walk(input, reference, true, target, (x, r, t, layer) -> walker().revealCancel(x, r, t));
    }


    @Override
    synchronized GradientEngine engine() {
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
        return org.deeplearning4j.interpret.internal.engine.AnalysisCopies.normal(conf, p, outputName);
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
                probe, List.of(org.deeplearning4j.interpret.internal.engine.Seed.constant(layer, seed)), ReluRule.NORMAL)
                .gradient(), probe));
    }

    @Override
    String resolve(String layer) {
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
            LayerRules<org.deeplearning4j.nn.conf.layers.Layer> rules = LayerRegistry.rules(l);
            org.nd4j.linalg.activations.IActivation a = rules == null
                    ? org.deeplearning4j.interpret.gradient.LayerCatalogue.activationOf(l) : rules.activation(l);
            if (rules != null && rules.learnedRectifier()) {
                exact.add(info.name() + " (" + l.getClass().getSimpleName().replace("Layer", "") + ")");
            } else if (org.deeplearning4j.interpret.internal.engine.ActivationRules.isRectifier(a)) {
                applied.add(info.name() + " (" + a + ")");
            } else if (!org.deeplearning4j.interpret.internal.engine.ActivationRules.isIdentity(a)) {
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
    public String toString() {
        return kind + "[" + outputName + ", " + spec + ", " + dataType + "]";
    }
}
