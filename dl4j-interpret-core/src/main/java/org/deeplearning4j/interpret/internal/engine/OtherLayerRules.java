package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Layers the engines know nothing special about beyond the catalogue (DL4J's own forward and backward, no relevance
 * rules), frozen wrappers, and refused layer types.
 *
 * @param <C> the layer configuration type
 */
abstract class OtherLayerRules<C extends Layer> extends LayerRules<C> {
    /** {@code LocalResponseNormalization}: DL4J's own layers; mixes channels, unit to unit in space. */
    static final OtherLayerRules<LocalResponseNormalization> LOCAL_RESPONSE_NORMALIZATION = new OtherLayerRules<>() {
        @Override
        public CNN2DFormat format(LocalResponseNormalization c) {
            return c.getDataFormat();
        }
    };

    /** {@code SpaceToDepthLayer}: DL4J's own layers; no affine position map. */
    static final OtherLayerRules<Layer> SPACE_TO_DEPTH = new OtherLayerRules<>() {
        @Override
        public Footprint footprint(Layer c) {
            return Footprint.RESAMPLED;
        }
    };

    /**
     * {@code FrozenLayer} and {@code FrozenLayerWithBackprop}: the wrapped layer's rules apply (callers unwrap the
     * configuration); on DL4J's own layers the inside layer computes the input gradient, since DL4J's FrozenLayer
     * returns none and FrozenLayerWithBackprop needs gradient views that analysis copies do not give it.
     */
    static final OtherLayerRules<Layer> FROZEN = new OtherLayerRules<>() {
        @Override
        INDArray loopBackward(org.deeplearning4j.nn.api.Layer l, Layer c, INDArray x, INDArray e) {
            org.deeplearning4j.nn.api.Layer inside = l instanceof org.deeplearning4j.nn.layers.FrozenLayer
                    ? ((org.deeplearning4j.nn.layers.FrozenLayer) l).getInsideLayer()
                    : ((org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) l).getInsideLayer();
            if (inside.getGradientsViewArray() == null && inside.numParams() > 0) {
                inside.setBackpropGradientsViewArray(Nd4j.create(e.dataType(), 1, inside.numParams()));
            }
            return inside.backpropGradient(e, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces())
                    .getSecond();
        }
    };

    /**
     * @param reason why every engine refuses the layer type
     * @return rules that refuse it
     */
    static OtherLayerRules<Layer> refused(String reason) {
        return new OtherLayerRules<>() {
            @Override
            public String refusal() {
                return reason;
            }
        };
    }
}
