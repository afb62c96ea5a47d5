package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Global max, average and sum pooling (p-norm on DL4J's own layers). Max: the gradient split equally among tied
 * maxima on every engine, LRP to the maxima, DeepLIFT's multipliers as the gradient at the input ({@link MaxRules});
 * average and sum: spread evenly, their transposed map for the relevance rules. Every unit sees the whole input.
 */
final class GlobalPoolingRules extends LayerRules<GlobalPoolingLayer> {
    /** The only instance. */
    static final GlobalPoolingRules INSTANCE = new GlobalPoolingRules();

    private GlobalPoolingRules() {
    }

    private static boolean max(GlobalPoolingLayer c) {
        return c.getPoolingType() == PoolingType.MAX;
    }

    /** @return the pooled dimensions of {@code x} */
    private static int[] dims(GlobalPoolingLayer c, INDArray x) {
        if (c.getPoolingDimensions() != null) {
            return c.getPoolingDimensions();
        }
        return x.rank() == 4 ? new int[] {2, 3} : new int[] {2};
    }

    /** @return {@code x}'s shape with the pooled dimensions kept as 1 */
    private static long[] kept(INDArray x, int[] dims) {
        long[] k = x.shape().clone();
        for (int d : dims) {
            k[d] = 1;
        }
        return k;
    }

    /** @return the seed at the output given to the maxima of the input {@code x} */
    private static INDArray toMaxima(GlobalPoolingLayer c, INDArray x, INDArray e) {
        int[] dims = dims(c, x);
        return MaxRules.global(x, e.reshape(kept(x, dims)), dims);
    }

    @Override
    public boolean mirrored() {
        return true;
    }

    @Override
    SameDiffMirror.Piece mirror(MirrorContext cx, String name, GlobalPoolingLayer c, SDVariable x,
            org.deeplearning4j.nn.api.Layer rt) {
        int[] dims = c.getPoolingDimensions() == null ? new int[] {2, 3} : c.getPoolingDimensions();
        boolean keep = !c.isCollapseDimensions();
        cx.outputRank(keep ? cx.inputRank() : cx.inputRank() - dims.length);
        SameDiff sd = cx.sd();
        PoolingType t = c.getPoolingType();
        SDVariable out;
        switch (t) {
            case MAX:
                out = sd.max(x, keep, dims);
                break;
            case AVG:
                out = sd.mean(x, keep, dims);
                break;
            case SUM:
                out = sd.sum(x, keep, dims);
                break;
            default:
                return cx.unsupported(name, "GlobalPoolingLayer " + t);
        }
        DataType dt = cx.dt();
        return new SameDiffMirror.Piece(out, (e, r, shapes) -> {
            long[] in = shapes.get(x.name());
            long[] kept = in.clone();
            kept[0] = -1;
            long count = 1;
            for (int dim : dims) {
                kept[dim] = 1;
                count *= in[dim];
            }
            SDVariable e4 = e.reshape(kept);
            switch (t) {
                case AVG:
                    return List.of(sd.onesLike(x).mul(e4.div(count)));
                case SUM:
                    return List.of(sd.onesLike(x).mul(e4));
                default:
                    return List.of(MaxRules.global(x, e4, dims, dt));
            }
        }, x);
    }

    @Override
    INDArray loopBackward(org.deeplearning4j.nn.api.Layer l, GlobalPoolingLayer c, INDArray x, INDArray e) {
        INDArray in = l.input();
        return max(c) && in.rank() == 4 ? toMaxima(c, in, e) : null;
    }

    @Override
    String walkRefusal(GlobalPoolingLayer c) {
        return SubsamplingRules.walkRefusal(c.getPoolingType(), "global pooling");
    }

    @Override
    INDArray lrp(WalkStep s, GlobalPoolingLayer c, INDArray r) {
        return max(c) ? toMaxima(c, s.x(), r) : lrpThroughTranspose(s, r);
    }

    @Override
    INDArray deepLift(WalkStep s, GlobalPoolingLayer c, INDArray m) {
        return max(c) ? toMaxima(c, s.x(), m) : s.transpose(s.x(), m);
    }

    @Override
    INDArray[] revealCancel(WalkStep s, GlobalPoolingLayer c, INDArray[] m) {
        if (!max(c)) {
            return revealCancelThroughTranspose(s, m);
        }
        INDArray x = s.x();
        return new INDArray[] {toMaxima(c, x, m[0]), toMaxima(c, x, m[1])};
    }

    @Override
    INDArray delta(WalkStep s, GlobalPoolingLayer c, INDArray[] h, INDArray packed) {
        return max(c) ? WalkMath.signParts(s.y().sub(s.y0())) : s.forward(packed);
    }

    @Override
    public Footprint footprint(GlobalPoolingLayer c) {
        return Footprint.WHOLE;
    }
}
