package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.InterpretException;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SameDiff counterpart of the layer catalogue: the ops whose backward rule in the library's reverse pass
 * ({@link SameDiffReverse}) is verified against finite differences in double precision (SameDiffOpRulesTest), and
 * against PyTorch autograd on imported graphs. The rule is the op's own backward definition except where the library
 * writes its own (rectifiers under guided/deconvnet rules, maxima with tie-splitting, batch norm). A graph with any
 * other op between the input and the seeded variable is refused before any work, naming the op: its gradient could
 * be wrong or silently zero.
 */
final class SameDiffOpRules {
    private static final Set<String> VERIFIED = Set.of(
            // convolutions and the layout ops imports put around them
            "conv2d", "deconv2d", "pad", "split", "concat", "permute", "transpose", "reshape", "flatten_2d",
            "identity", "expand_dims", "squeeze", "slice", "strided_slice", "stack", "unstack",
            // affine maps
            "batchnorm", "matmul", "xw_plus_b", "add", "subtract", "multiply", "divide", "neg",
            "biasadd", "add_scalar", "sub_scalar", "rsub_scalar", "mul_scalar", "div_scalar",
            // pooling and reductions
            "maxpool2d", "avgpool2d", "reduce_mean", "reduce_sum", "reduce_max", "maximum",
            // activations
            "relu", "relu6", "leakyrelu", "elu", "selu", "sigmoid", "tanh", "softplus", "softsign", "gelu", "swish",
            "hard_sigmoid", "hardtanh", "softmax");

    private SameDiffOpRules() {
    }

    /** @return the op names with a verified backward rule */
    static Set<String> verified() {
        return VERIFIED;
    }

    /**
     * @param path the ops between the input and the seeded variables
     * @throws InterpretException naming every op without a verified rule
     */
    static void check(Collection<SameDiffOp> path) {
        List<String> unknown = new ArrayList<>();
        for (SameDiffOp op : path) {
            String n = op.getOp().opName();
            if (!VERIFIED.contains(n)) {
                unknown.add("'" + op.getName() + "' (" + n + ", output " + String.join(", ", op.getOutputsOfOp())
                        + ")");
            }
        }
        if (!unknown.isEmpty()) {
            throw new InterpretException("The graph has ops without a verified backward rule between the input and "
                    + "the target: " + String.join(", ", unknown) + ". Their gradients could be wrong, so gradient "
                    + "and rule-based methods refuse the graph; methods that only run the model (occlusion, LIME, "
                    + "KernelSHAP, feature ablation) still work. Verified ops: " + new TreeSet<>(VERIFIED));
        }
    }
}
