package org.deeplearning4j.interpret.gradient;

import org.deeplearning4j.interpret.internal.engine.LayerLoopEngine;
import org.deeplearning4j.interpret.internal.engine.LayerRegistry;
import org.deeplearning4j.interpret.internal.engine.LayerRules;
import org.deeplearning4j.interpret.internal.engine.SameDiffMirror;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The verified layer catalogue: every DL4J layer, vertex, preprocessor and activation that the engines accept. Each
 * entry is checked against central finite differences in double precision on a small random network containing it,
 * on every engine that claims it ({@code LayerCatalogueTest}); anything else is <b>refused when the model is
 * wrapped</b>, with the layer's name and type, instead of being run through unverified backpropagation.
 *
 * <p>Two engines: the fast path ({@link SameDiffMirror}, libnd4j ops) and DL4J's own layers ({@link
 * LayerLoopEngine}, with the inference batch-norm rule, dropout stripped, and the shared rules for maxima and
 * rectifiers). A network runs on the fast path when every vertex is covered there, else entirely on DL4J's layers.
 *
 * <p>The layer rows come from {@link LayerRegistry}, where each layer type is registered with its rules: a type runs
 * on the fast path when its rules translate it, and is refused when they say why.
 */
public final class LayerCatalogue {
    /** Where a vertex type stands. */
    public enum Status {
        /** Both engines: the fast path runs it (under the conditions in the note). */
        FAST_PATH,
        /** DL4J's own layers only: a network containing it runs on the slower engine. */
        DL4J_LAYERS,
        /** Refused when the model is wrapped, for the reason in the note. */
        REFUSED
    }

    /** One row of the catalogue. */
    public static final class Entry {
        private final String kind;
        private final Class<?> type;
        private final Status status;
        private final String note;

        Entry(String kind, Class<?> type, Status status, String note) {
            this.kind = kind;
            this.type = type;
            this.status = status;
            this.note = note;
        }

        /** @return "layer", "vertex", "preprocessor" or "activation" */
        public String kind() {
            return kind;
        }

        /** @return the DL4J configuration class */
        public Class<?> type() {
            return type;
        }

        /** @return where it runs, or that it is refused */
        public Status status() {
            return status;
        }

        /** @return conditions, variants or the reason for a refusal */
        public String note() {
            return note;
        }

        @Override
        public String toString() {
            return kind + " " + type.getSimpleName() + " " + status;
        }
    }

    private static final Map<Class<?>, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        for (LayerRegistry.Registration r : LayerRegistry.registrations()) {
            String refusal = r.rules().refusal();
            Status status = refusal != null ? Status.REFUSED : r.rules().mirrored() ? Status.FAST_PATH
                    : Status.DL4J_LAYERS;
            put(new Entry("layer", r.type(), status, refusal != null ? refusal : r.note()));
        }
        vertex(ElementWiseVertex.class, Status.FAST_PATH, "add, subtract, product, average, max (ties split equally)");
        vertex(MergeVertex.class, Status.FAST_PATH, "");
        vertex(SubsetVertex.class, Status.DL4J_LAYERS, "");
        vertex(L2NormalizeVertex.class, Status.DL4J_LAYERS, "");
        vertex(ScaleVertex.class, Status.DL4J_LAYERS, "");
        vertex(ShiftVertex.class, Status.DL4J_LAYERS, "");
        put(new Entry("preprocessor", CnnToFeedForwardPreProcessor.class, Status.FAST_PATH, "NCHW"));
        put(new Entry("preprocessor", FeedForwardToCnnPreProcessor.class, Status.FAST_PATH, ""));
    }

    private LayerCatalogue() {
    }

    private static void vertex(Class<? extends GraphVertex> c, Status s, String note) {
        put(new Entry("vertex", c, s, note));
    }

    private static void put(Entry e) {
        ENTRIES.put(e.type, e);
    }

    /** @return every layer, vertex and preprocessor entry, in table order */
    public static List<Entry> entries() {
        return List.copyOf(ENTRIES.values());
    }

    /** RRELU: random slopes in training; M2.1's inference forward pass fails (a null random array). */
    private static final String RRELU_REFUSAL = "RRELU is refused: DL4J 1.0.0-M2.1 cannot run it at inference (its "
            + "forward pass fails on a missing random array); use LEAKYRELU with the mean slope";

    /** @return the activations every engine accepts: DL4J's {@link Activation}s except RRELU */
    public static List<Activation> activations() {
        List<Activation> out = new ArrayList<>();
        Collections.addAll(out, Activation.values());
        out.remove(Activation.RRELU);
        return out;
    }

    /**
     * @param conf a network configuration
     * @return "name (Type): reason" for every vertex the engines refuse; empty when the whole network is verified
     */
    public static List<String> refusals(ComputationGraphConfiguration conf) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, GraphVertex> v : conf.getVertices().entrySet()) {
            String reason = refusal(v.getValue());
            if (reason != null) {
                out.add(v.getKey() + " (" + describe(v.getValue()) + "): " + reason);
            }
        }
        return out;
    }

    private static String describe(GraphVertex v) {
        return v instanceof LayerVertex ? ((LayerVertex) v).getLayerConf().getLayer().getClass().getSimpleName()
                : v.getClass().getSimpleName();
    }

    private static String refusal(GraphVertex v) {
        if (!(v instanceof LayerVertex)) {
            return check(v.getClass(), "vertex");
        }
        LayerVertex lv = (LayerVertex) v;
        InputPreProcessor pp = lv.getPreProcessor();
        if (pp != null) {
            String r = check(pp.getClass(), "preprocessor");
            if (r != null) {
                return r;
            }
            if (pp instanceof CnnToFeedForwardPreProcessor
                    && ((CnnToFeedForwardPreProcessor) pp).getFormat() != CNN2DFormat.NCHW) {
                return nhwc();
            }
        }
        Layer layer = lv.getLayerConf().getLayer();
        if (layer instanceof FrozenLayer || layer instanceof FrozenLayerWithBackprop) {
            Layer inner = unwrapFrozen(layer);
            String r = layerRefusal(inner);
            return r == null ? null : "wraps " + inner.getClass().getSimpleName() + ": " + r;
        }
        return layerRefusal(layer);
    }

    /**
     * @param layer a layer configuration
     * @return the layer a {@code FrozenLayer} or {@code FrozenLayerWithBackprop} wraps, else {@code layer} itself
     */
    public static Layer unwrapFrozen(Layer layer) {
        if (layer instanceof FrozenLayer) {
            return ((FrozenLayer) layer).getLayer();
        }
        if (layer instanceof FrozenLayerWithBackprop) {
            return ((FrozenLayerWithBackprop) layer).getUnderlying();
        }
        return layer;
    }

    /**
     * @param layer a layer configuration
     * @return its configured activation (fused, or an activation layer's), or null for a layer without one
     */
    public static IActivation activationOf(Layer layer) {
        return layer instanceof BaseLayer ? ((BaseLayer) layer).getActivationFn()
                : layer instanceof ActivationLayer ? ((ActivationLayer) layer).getActivationFn() : null;
    }

    private static String layerRefusal(Layer layer) {
        String r = check(layer.getClass(), "layer");
        if (r != null) {
            return r;
        }
        if (format(layer) == CNN2DFormat.NHWC) {
            return nhwc();
        }
        IActivation a = activationOf(layer);
        if (a instanceof org.nd4j.linalg.activations.impl.ActivationRReLU) {
            return RRELU_REFUSAL;
        }
        if (a != null && !knownActivation(a)) {
            return "activation " + a + " is not one of DL4J's built-in activations " + activations()
                    + ", whose gradients are verified";
        }
        return null;
    }

    private static String nhwc() {
        return "NHWC data format: the library works on NCHW inputs; configure the network with CNN2DFormat.NCHW";
    }

    private static CNN2DFormat format(Layer l) {
        LayerRules<Layer> rules = LayerRegistry.rules(l);
        return rules == null ? CNN2DFormat.NCHW : rules.format(l);
    }

    private static boolean knownActivation(IActivation a) {
        for (Activation known : activations()) {
            if (known.getActivationFunction().getClass() == a.getClass()) {
                return true;
            }
        }
        return false;
    }

    private static String check(Class<?> type, String kind) {
        Entry e = ENTRIES.get(type);
        if (e == null) {
            return "this " + kind + " type is not in the verified layer catalogue (see LayerCatalogue and the "
                    + "README's table); its gradients have not been checked, so the library refuses it rather than "
                    + "risk a wrong map";
        }
        return e.status == Status.REFUSED ? e.note : null;
    }

    /** @return the catalogue as a Markdown table (the README carries it verbatim) */
    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Kind | DL4J type | Engines | Notes |\n|---|---|---|---|\n");
        for (Entry e : ENTRIES.values()) {
            String engines = e.status == Status.FAST_PATH ? "fast path + DL4J layers"
                    : e.status == Status.DL4J_LAYERS ? "DL4J layers" : "**refused**";
            sb.append("| ").append(e.kind).append(" | `").append(e.type.getSimpleName()).append("` | ")
                    .append(engines).append(" | ").append(e.note).append(" |\n");
        }
        List<String> names = new ArrayList<>();
        for (Activation a : activations()) {
            names.add(a.name());
        }
        sb.append("| activation | `").append(String.join("`, `", names)).append("` | fast path (identity, ReLU, "
                + "leaky ReLU, sigmoid, tanh, softmax, ELU with alpha 1) + DL4J layers | ReLU rules apply to "
                + "RELU, RELU6, LEAKYRELU, ELU, SELU, THRESHOLDEDRELU; the others keep their true derivative |\n");
        sb.append("| activation | `RRELU` | **refused** | ").append(RRELU_REFUSAL.substring(RRELU_REFUSAL.indexOf(':')
                + 2)).append(" |\n");
        return sb.toString();
    }
}
