package org.deeplearning4j.interpret.attribution;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** How an {@code [N, C, H, W]} attribution becomes an {@code [N, H, W]} per-pixel map. */
public enum ChannelReduction {
    /** {@code max_c |a|} (Simonyan et al. 2013); non-negative. */
    MAX_ABS,
    /** {@code sum_c a}; signed. */
    SUM,
    /** {@code sum_c |a|}; non-negative. */
    SUM_ABS,
    /** {@code sqrt(sum_c a^2)}; non-negative. */
    L2;

    /**
     * @param a attribution {@code [N, C, H, W]}
     * @return the map {@code [N, H, W]}
     */
    public INDArray reduce(INDArray a) {
        switch (this) {
            case MAX_ABS:
                return Transforms.abs(a, true).max(1);
            case SUM:
                return a.sum(1);
            case SUM_ABS:
                return Transforms.abs(a, true).sum(1);
            default:
                return Transforms.sqrt(a.mul(a).sum(1), false);
        }
    }

    /** @return true if maps from this reduction can be negative */
    public boolean isSigned() {
        return this == SUM;
    }
}
