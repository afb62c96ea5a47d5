package org.deeplearning4j.interpret.featurevis;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;
import java.util.Set;

/**
 * Penalties on the display-space image ({@code [0, 1]}, centred on mid-grey 0.5), each averaged over pixels and
 * channels so that a weight carries over between image sizes. Built by {@link Objectives}.
 */
final class ImagePenalty extends Objective {
    enum Kind { L1, L2, TOTAL_VARIATION, BLUR }

    /** The neutral display value the L1, L2 and blur penalties are centred on. */
    static final double CENTRE = 0.5;
    private final Kind kind;
    private final double sigma;

    ImagePenalty(Kind kind, double sigma) {
        if (kind == Kind.BLUR && !(sigma > 0 && Double.isFinite(sigma))) {
            throw new IllegalArgumentException("Blur sigma must be > 0 pixels, got " + sigma);
        }
        this.kind = kind;
        this.sigma = sigma;
    }

    @Override
    public String description() {
        switch (kind) {
            case L1: return "L1";
            case L2: return "L2";
            case TOTAL_VARIATION: return "TV";
            default: return "Blur[" + Sum.format(sigma) + "]";
        }
    }

    @Override
    protected void collectLayers(InterpretableModel model, Set<String> out) {
    }

    @Override
    protected void validate(InterpretableModel model, Map<String, long[]> shapes) {
    }

    private static long perImage(INDArray x) {
        return x.length() / x.size(0);
    }

    @Override
    protected INDArray value(Evaluation e) {
        INDArray x = e.image();
        INDArray d = x.sub(CENTRE);
        INDArray per;
        switch (kind) {
            case L1:
                per = Transforms.abs(d, false);
                break;
            case L2:
                per = d.muli(d);
                break;
            case TOTAL_VARIATION:
                INDArray dy = Transforms.abs(diffY(x), false).reshape(x.size(0), -1).sum(1);
                INDArray dx = Transforms.abs(diffX(x), false).reshape(x.size(0), -1).sum(1);
                return dy.addi(dx).divi(perImage(x));
            default:
                INDArray r = d.sub(blur(d));
                per = r.muli(r).muli(0.5);
                break;
        }
        return per.reshape(x.size(0), -1).mean(1);
    }

    @Override
    protected void gradient(Evaluation e, double weight) {
        INDArray x = e.image();
        INDArray d = x.sub(CENTRE);
        INDArray g;
        switch (kind) {
            case L1:
                g = Transforms.sign(d, false);
                break;
            case L2:
                g = d.muli(2);
                break;
            case TOTAL_VARIATION:
                g = Nd4j.zerosLike(x);
                INDArray sy = Transforms.sign(diffY(x), false);
                g.get(rows(x, 1, x.size(2))).addi(sy);
                g.get(rows(x, 0, x.size(2) - 1)).subi(sy);
                INDArray sx = Transforms.sign(diffX(x), false);
                g.get(cols(x, 1, x.size(3))).addi(sx);
                g.get(cols(x, 0, x.size(3) - 1)).subi(sx);
                break;
            default:
                INDArray r = d.sub(blur(d));
                g = r.sub(blur(r));
                break;
        }
        e.addImageGradient(g.divi(perImage(x)), weight);
    }

    private static INDArrayIndex[] rows(INDArray x, long from, long to) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to),
                NDArrayIndex.all()};
    }

    private static INDArrayIndex[] cols(INDArray x, long from, long to) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(from, to)};
    }

    private static INDArray diffY(INDArray x) {
        return x.get(rows(x, 1, x.size(2))).sub(x.get(rows(x, 0, x.size(2) - 1)));
    }

    private static INDArray diffX(INDArray x) {
        return x.get(cols(x, 1, x.size(3))).sub(x.get(cols(x, 0, x.size(3) - 1)));
    }

    /**
     * Separable Gaussian blur with zero padding: with a symmetric kernel the operator is a symmetric matrix, so the
     * same function is its own adjoint (used by the gradient).
     */
    private INDArray blur(INDArray x) {
        int r = Math.max(1, (int) Math.ceil(3 * sigma));
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + r];
        }
        int n = (int) (x.size(0) * x.size(1));
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        double[] in = x.dup('c').data().asDouble();
        double[] tmp = new double[in.length];
        double[] out = new double[in.length];
        for (int p = 0; p < n; p++) {
            int base = p * h * w;
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double v = 0;
                    for (int i = Math.max(-r, -xx); i <= Math.min(r, w - 1 - xx); i++) {
                        v += k[i + r] * in[base + y * w + xx + i];
                    }
                    tmp[base + y * w + xx] = v / sum;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double v = 0;
                    for (int i = Math.max(-r, -y); i <= Math.min(r, h - 1 - y); i++) {
                        v += k[i + r] * tmp[base + (y + i) * w + xx];
                    }
                    out[base + y * w + xx] = v / sum;
                }
            }
        }
        return Nd4j.createFromArray(out).castTo(x.dataType()).reshape('c', x.shape());
    }

    @Override
    protected boolean dependsOnActivations() {
        return false;
    }
}
