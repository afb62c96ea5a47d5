package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.internal.engine.Footprint;
import org.deeplearning4j.interpret.internal.engine.GradientEngine;
import org.deeplearning4j.interpret.internal.engine.LayerRegistry;
import org.deeplearning4j.interpret.internal.engine.LayerRules;
import org.deeplearning4j.interpret.gradient.LayerCatalogue;
import org.deeplearning4j.interpret.internal.engine.SameDiffMirror;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link LocalLayers} of a DL4J network on the fast engine: the chain of plain convolutions, poolings, batch norms,
 * activations and dropouts from the input, each vertex the only consumer of the one before (a branch ends the chain:
 * its other consumer needs the whole map). Groups run on the engine with their input injected.
 */
final class Dl4jLocalLayers implements LocalLayers {
    private final List<Group> groups;
    private final double totalFlops;
    private final Supplier<GradientEngine> engine;
    private final DataType dataType;
    private final long inputChannels;

    private Dl4jLocalLayers(List<Group> groups, double totalFlops, Supplier<GradientEngine> engine, DataType dataType,
            long inputChannels) {
        this.groups = Collections.unmodifiableList(groups);
        this.totalFlops = totalFlops;
        this.engine = engine;
        this.dataType = dataType;
        this.inputChannels = inputChannels;
    }

    /**
     * @param conf the analysed configuration
     * @param layers the model's layers in topological order
     * @param inputShape the input's shape {C, H, W}
     * @param layerShapes every layer's activation shape for that input, without the batch dimension
     * @param output the output vertex
     * @param engine the model's current engine
     * @param dataType the model's data type
     * @return the chain
     * @throws InterpretException naming the first layer when the network does not start with a local layer, or when
     *         the DL4J-layer fallback runs the network
     */
    static LocalLayers of(ComputationGraphConfiguration conf, List<LayerInfo> layers, long[] inputShape,
            Map<String, long[]> layerShapes, String output, Supplier<GradientEngine> engine, DataType dataType) {
        if (!(engine.get() instanceof SameDiffMirror)) {
            throw new InterpretException("Incremental computation needs the fast SameDiff engine; these layers force "
                    + "the DL4J-layer path: " + engine.get().unsupportedLayers());
        }
        String input = conf.getNetworkInputs().get(0);
        Map<String, long[]> shapes = new HashMap<>(layerShapes);
        shapes.put(input, inputShape.clone());
        Map<String, List<String>> consumers = new HashMap<>();
        conf.getVertexInputs().forEach((v, ins) -> ins.forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>())
                .add(v)));
        List<Group> groups = new ArrayList<>();
        String current = input;
        String groupInput = null;
        Axis[] window = null;
        double flops = 0;
        List<String> members = new ArrayList<>();
        String stop = null;
        while (true) {
            List<String> next = consumers.getOrDefault(current, List.of());
            if (next.size() != 1) {
                stop = "'" + current + "' feeds " + next.size() + " vertices";
                break;
            }
            String name = next.get(0);
            GraphVertex v = conf.getVertices().get(name);
            long[] in = shapes.get(current);
            long[] out = shapes.get(name);
            Layer l = v instanceof LayerVertex ? LayerCatalogue.unwrapFrozen(((LayerVertex) v).getLayerConf()
                    .getLayer()) : null;
            Kind kind = kind(l);
            // a flat-to-CNN reshape before the first layer passes the model's 4-D input (and crops of it) through
            boolean reshaped = l != null && ((LayerVertex) v).getPreProcessor() != null;
            boolean firstReshape = reshaped && current.equals(input) && ((LayerVertex) v).getPreProcessor()
                    instanceof org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
            if (name.equals(output) || l == null || (reshaped && !firstReshape) || kind == null
                    || out == null || out.length != 3 || in == null || in.length != 3) {
                stop = "'" + name + "' (" + (l == null ? v.getClass().getSimpleName() : l.getClass().getSimpleName())
                        + ")";
                break;
            }
            if (kind == Kind.WINDOW || window == null) {
                if (window != null) {
                    groups.add(new Group(groupInput, members, window[0], window[1], flops));
                }
                members = new ArrayList<>();
                groupInput = current == input ? null : current;
                window = kind == Kind.WINDOW ? axes(l, in, out) : new Axis[] {new Axis(1, 1, 0, (int) in[1],
                        (int) in[1]), new Axis(1, 1, 0, (int) in[2], (int) in[2])};
                flops = 0;
            }
            flops += flops(l, in, out);
            members.add(name);
            current = name;
        }
        if (window == null) {
            throw new InterpretException("Incremental computation needs a network that starts with convolution or "
                    + "pooling layers; it starts with " + stop);
        }
        groups.add(new Group(groupInput, members, window[0], window[1], flops));
        double total = 0;
        for (LayerInfo l : layers) {
            GraphVertex v = conf.getVertices().get(l.name());
            Layer layer = v instanceof LayerVertex ? ((LayerVertex) v).getLayerConf().getLayer() : null;
            List<String> ins = conf.getVertexInputs().get(l.name());
            total += flops(layer == null ? null : LayerCatalogue.unwrapFrozen(layer), shapes.get(ins.get(0)),
                    shapes.get(l.name()));
        }
        return new Dl4jLocalLayers(groups, total, engine, dataType, inputShape[0]);
    }

    /** How a chain layer maps positions: through a window (convolution, pooling) or one to one. */
    private enum Kind { WINDOW, POINT }

    /**
     * @return the layer's kind, or null for a layer that ends the chain: a fast-path layer mapping positions through a
     *         window (not causal) or unit to unit
     */
    private static Kind kind(Layer l) {
        LayerRules<Layer> rules = l == null ? null : LayerRegistry.rules(l);
        if (rules == null || !rules.mirrored()) {
            return null;
        }
        Footprint f = rules.footprint(l);
        switch (f.kind()) {
            case WINDOW:
                return f.mode() == ConvolutionMode.Causal ? null : Kind.WINDOW;
            case UNIT:
            case UNIT_OR_WHOLE:
                return Kind.POINT;
            default:
                return null;
        }
    }

    private static Axis[] axes(Layer l, long[] in, long[] out) {
        ReceptiveFields.Window w = ReceptiveFields.Window.of(l);
        Axis[] axes = new Axis[2];
        for (int i = 0; i < 2; i++) {
            axes[i] = new Axis(w.effective(i), w.s[i], (int) w.lead(i, in[i + 1], out[i + 1]), (int) in[i + 1],
                    (int) out[i + 1]);
        }
        return axes;
    }

    /** Multiply-adds of a layer for one example (element count for layers without weights). */
    private static double flops(Layer l, long[] in, long[] out) {
        LayerRules<Layer> rules = l == null ? null : LayerRegistry.rules(l);
        return rules == null ? LayerRules.elements(out) : rules.flops(l, in, out);
    }

    @Override
    public List<Group> groups() {
        return groups;
    }

    @Override
    public double totalFlops() {
        return totalFlops;
    }

    @Override
    public INDArray run(int group, INDArray crops) {
        Group g = groups.get(group);
        GradientEngine e = engine.get();
        INDArray c = crops.castTo(dataType);
        if (g.inputLayer == null) {
            return e.forward(c, List.of(g.outputLayer)).get(g.outputLayer);
        }
        // the network input is not read: the group's input is injected
        INDArray unused = Nd4j.zeros(dataType, crops.size(0), inputChannels, 1, 1);
        return e.forward(unused, List.of(g.outputLayer), g.inputLayer, c).get(g.outputLayer);
    }
}
