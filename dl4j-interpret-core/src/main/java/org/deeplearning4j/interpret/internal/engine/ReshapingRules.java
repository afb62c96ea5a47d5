package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Linear layers without parameters that move values around (padding, cropping, up-sampling): LRP-epsilon with the
 * stabiliser only and DeepLIFT's multipliers through their transposed map (DL4J's own backward); RevealCancel passes
 * each part through them. Zero padding is also on the fast path (forward: the padding; backward: cropped off).
 *
 * @param <C> the layer configuration type
 */
abstract class ReshapingRules<C extends Layer> extends LayerRules<C> {
    /** {@code ZeroPaddingLayer}: every engine; positions shift by the leading padding. */
    static final ReshapingRules<ZeroPaddingLayer> ZERO_PADDING = new ReshapingRules<>() {
        @Override
        public boolean mirrored() {
            return true;
        }

        @Override
        public CNN2DFormat format(ZeroPaddingLayer c) {
            return c.getDataFormat();
        }

        @Override
        SameDiffMirror.Piece mirror(MirrorContext cx, String name, ZeroPaddingLayer z, SDVariable x,
                org.deeplearning4j.nn.api.Layer rt) {
            SameDiff sd = cx.sd();
            int[] p = z.getPadding();
            INDArray pads = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {p[0], p[1]}, {p[2], p[3]}});
            SDVariable out = sd.nn().pad(x, sd.constant(pads), 0.0);
            return new SameDiffMirror.Piece(out, (e, r, s) -> {
                long[] in = s.get(x.name());
                return List.of(sd.slice(e, new int[] {0, 0, p[0], p[2]}, -1, -1, (int) in[2], (int) in[3]));
            }, x);
        }

        @Override
        public Footprint footprint(ZeroPaddingLayer c) {
            int[] pad = c.getPadding();
            return Footprint.shift(pad[0], pad[2]);
        }
    };

    /** {@code Cropping2D}: DL4J's own layers; positions shift back by the leading crop. */
    static final ReshapingRules<Cropping2D> CROPPING = new ReshapingRules<>() {
        @Override
        public CNN2DFormat format(Cropping2D c) {
            return c.getDataFormat();
        }

        @Override
        public Footprint footprint(Cropping2D c) {
            int[] crop = c.getCropping();
            return Footprint.shift(-crop[0], -crop[2]);
        }
    };

    /** {@code Upsampling2D}: DL4J's own layers; no affine position map. */
    static final ReshapingRules<Upsampling2D> UPSAMPLING = new ReshapingRules<>() {
        @Override
        public CNN2DFormat format(Upsampling2D c) {
            return c.getFormat();
        }

        @Override
        public Footprint footprint(Upsampling2D c) {
            return Footprint.RESAMPLED;
        }
    };

    @Override
    String walkRefusal(C c) {
        return null;
    }

    @Override
    INDArray lrp(WalkStep s, C c, INDArray r) {
        return lrpThroughTranspose(s, r);
    }

    @Override
    INDArray deepLift(WalkStep s, C c, INDArray m) {
        return s.transpose(s.x(), m);
    }

    @Override
    INDArray[] revealCancel(WalkStep s, C c, INDArray[] m) {
        return revealCancelThroughTranspose(s, m);
    }

    @Override
    INDArray delta(WalkStep s, C c, INDArray[] h, INDArray packed) {
        return s.forward(packed);
    }
}
