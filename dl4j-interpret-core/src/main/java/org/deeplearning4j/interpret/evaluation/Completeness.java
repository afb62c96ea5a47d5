package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.Baseline;
import org.deeplearning4j.interpret.internal.PinnedTarget;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Completeness: do the attributions add up to the change of the target between the baseline and the input,
 * {@code |sum(a) - (f(x) - f(baseline))| / |f(x) - f(baseline)|}? Integrated gradients promises it (up to the
 * quadrature error); gradient x input promises it on piecewise-linear networks without biases (a zero baseline);
 * other methods do not, and their gap says how far their scale is from the target's. Lower is better.
 *
 * <p>Sundararajan, Taly &amp; Yan, "Axiomatic Attribution for Deep Networks", ICML 2017,
 * <a href="https://arxiv.org/abs/1703.01365">arXiv:1703.01365</a>; Ancona, Ceolini, Öztireli &amp; Gross, "Towards
 * better understanding of gradient-based attribution methods for Deep Neural Networks", ICLR 2018,
 * <a href="https://arxiv.org/abs/1711.06104">arXiv:1711.06104</a>.
 */
public final class Completeness {
    private Completeness() {
    }

    /**
     * @param model the model
     * @param input NCHW batch
     * @param attribution its attribution (raw {@code [N, C, H, W]})
     * @param target the target the attribution explains (pinned on the input)
     * @param baseline the reference input the attribution is relative to
     * @return the relative completeness gap per example (lower is better)
     */
    public static MetricResult evaluate(InterpretableModel model, INDArray input, AttributionResult attribution,
            Target target, Baseline baseline) {
        if (model == null || attribution == null || baseline == null) {
            throw new IllegalArgumentException("model, attribution and baseline must not be null");
        }
        INDArray x = model.spi().prepareInput(input);
        INDArray a = attribution.attributions();
        if (!java.util.Arrays.equals(a.shape(), x.shape())) {
            throw new IllegalArgumentException("The attribution's shape " + java.util.Arrays.toString(a.shape())
                    + " does not match the input " + java.util.Arrays.toString(x.shape()));
        }
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        INDArray fb = model.values(baseline.create(x, model), pinned.target);
        INDArray sums = a.castTo(DataType.DOUBLE).sum(1, 2, 3);
        double[] gap = new double[(int) x.size(0)];
        for (int i = 0; i < gap.length; i++) {
            double change = pinned.values.getDouble(i) - fb.getDouble(i);
            double g = Math.abs(sums.getDouble(i) - change);
            gap[i] = Math.abs(change) > 0 ? g / Math.abs(change) : g;
        }
        return new MetricResult("completeness-gap", attribution.method(), pinned.target.description(),
                Map.of("baseline", baseline.description()), gap, false);
    }
}
