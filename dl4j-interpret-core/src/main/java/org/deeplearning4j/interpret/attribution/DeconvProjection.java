package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.LayerInfo;
import org.deeplearning4j.interpret.model.ObjectiveGradient;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Zeiler-Fergus deconvnet projection of a single hidden activation to pixel space: all other activations of the
 * layer are zeroed, and the kept activation is projected down with unpooling by the forward pass's max switches,
 * ReLU applied to the reconstruction, and transposed convolution with the layer's own filters. This is exactly the
 * deconvnet-rule gradient of that activation with respect to the input, seeded with the activation's value, which is
 * how the engine computes it. Where the network has residual additions, the reconstruction is sent down every branch
 * that feeds the addition and the branches' projections are summed (the addition's transpose). The projection is zero
 * outside the unit's receptive field.
 *
 * <p>Zeiler &amp; Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014,
 * <a href="https://arxiv.org/abs/1311.2901">arXiv:1311.2901</a>.
 *
 * <pre>{@code
 * AttributionResult p = DeconvProjection.of(model).projectChannelMax(image, "conv3", 12);
 * }</pre>
 */
public final class DeconvProjection {
    private final InterpretableModel model;

    private DeconvProjection(InterpretableModel model) {
        if (model == null) {
            throw new IllegalArgumentException("model is null");
        }
        this.model = model;
    }

    /**
     * @param model the model
     * @return the projector
     */
    public static DeconvProjection of(InterpretableModel model) {
        return new DeconvProjection(model);
    }

    /**
     * Projects one neuron for every example of the batch.
     *
     * @param input NCHW batch
     * @param layer layer
     * @param channel channel
     * @param y row in the feature map
     * @param x column in the feature map
     * @return the projection ({@code attributions()} in input space; {@code targetValues()} the activations)
     */
    public AttributionResult project(INDArray input, String layer, int channel, int y, int x) {
        INDArray in = model.spi().prepareInput(input);
        int[][] pos = new int[(int) in.size(0)][];
        Arrays.fill(pos, new int[] {y, x});
        return project(in, layer, channel, pos);
    }

    /**
     * Projects, for every example, the channel's strongest activation (its spatial maximum).
     *
     * @param input NCHW batch
     * @param layer layer
     * @param channel channel
     * @return the projection
     */
    public AttributionResult projectChannelMax(INDArray input, String layer, int channel) {
        INDArray in = model.spi().prepareInput(input);
        INDArray a = model.activations(in, layer).get(layer);
        if (channel < 0 || channel >= a.size(1)) {
            throw new IllegalArgumentException("Channel " + channel + " is outside layer '" + layer + "' with "
                    + a.size(1) + " channels (valid 0.." + (a.size(1) - 1) + ")");
        }
        int[][] pos = new int[(int) in.size(0)][];
        for (int i = 0; i < pos.length; i++) {
            if (a.rank() == 4) {
                INDArray m = a.get(NDArrayIndex.point(i), NDArrayIndex.point(channel));
                long arg = m.reshape(m.length()).argMax().getLong(0);
                pos[i] = new int[] {(int) (arg / a.size(3)), (int) (arg % a.size(3))};
            } else {
                pos[i] = new int[] {0, 0};
            }
        }
        return project(in, layer, channel, pos);
    }

    private AttributionResult project(INDArray x, String layer, int channel, int[][] pos) {
        LayerInfo info = model.layer(layer);
        boolean spatial = info.isSpatial();
        INDArray attr = Nd4j.create(x.dataType(), x.shape());
        INDArray values = Nd4j.create(x.dataType(), x.size(0));
        for (int i = 0; i < x.size(0); i++) {
            Target t = spatial ? Targets.neuron(layer, channel, pos[i][0], pos[i][1]) : Targets.channel(layer, channel);
            INDArray xi = x.get(NDArrayIndex.interval(i, i + 1));
            ObjectiveGradient g = model.gradient(xi, t, ReluRule.DECONVNET);
            double value = g.values().getDouble(0);
            // the kept activation is the seed: scale the unit-seed projection by the activation's value
            attr.get(NDArrayIndex.point(i)).assign(g.gradient().slice(0).mul(value));
            values.putScalar(i, value);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("layer", layer);
        opts.put("channel", String.valueOf(channel));
        opts.put("positions", Arrays.deepToString(pos));
        return new AttributionResult("DeconvProjection", "activation[" + layer + ", c" + channel + "]", opts, attr,
                ChannelReduction.MAX_ABS.reduce(attr), values, false);
    }
}
