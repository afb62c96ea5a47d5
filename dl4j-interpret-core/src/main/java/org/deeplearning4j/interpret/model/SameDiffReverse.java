package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.internal.engine.MaxRules;
import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.internal.SameDiffSessions;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reverse pass of a SameDiff graph, written op by op into a private copy: each op's own backward definition
 * ({@code doDiff}), except at rectifier ops, where the {@link ReluRule} applies (the formula of
 * {@link org.deeplearning4j.interpret.internal.engine.ActivationRules}), and at maxima (max pooling, reduce-max,
 * element-wise maximum), which split the gradient equally among tied maxima like both DL4J engines
 * ({@link MaxRules}). One pass serves every rule, hidden-layer seeds, several seeded layers and gradients with
 * respect to hidden variables. Weights are never differentiated: only the input's ancestors are.
 */
final class SameDiffReverse {
    /** Name of the gradient variable in a built graph. */
    static final String GRADIENT = "reverse_grad__";
    private static final String SEED = "seed__";
    private static final Set<String> RECTIFIERS = Set.of("relu", "relu6", "leakyrelu", "elu", "selu");

    private SameDiffReverse() {
    }

    private static final Set<String> OTHER_ACTIVATIONS = Set.of("sigmoid", "tanh", "softmax", "softplus", "softsign",
            "gelu", "precise_gelu", "swish", "mish", "hard_sigmoid", "hardtanh", "cube", "rationaltanh",
            "rectifiedtanh", "prelu");

    /** @return true if the ReLU rules apply at an op of this name */
    static boolean isRectifier(String opName) {
        return RECTIFIERS.contains(opName);
    }

    /** @return true for a non-linear activation op that keeps its true derivative under every rule */
    static boolean isOtherActivation(String opName) {
        return OTHER_ACTIVATIONS.contains(opName);
    }

    static String seedName(int i) {
        return SEED + i;
    }

    /**
     * @param copy a private copy of the graph (changed: the reverse pass is added)
     * @param layers the seeded variables
     * @param seeds example seeds (their data type and non-batch shape are used)
     * @param rule the ReLU rule
     * @param wrt the variable to differentiate with respect to
     * @param probe batch-1 feeds of every placeholder, to read the static shapes that max pooling needs
     * @return {@code copy}, with {@link #GRADIENT}
     */
    static SameDiff build(SameDiff copy, List<String> layers, List<INDArray> seeds, ReluRule rule, String wrt,
            Map<String, INDArray> probe) {
        return build(copy, layers, seeds, rule, wrt, probe, Propagation.GRADIENT);
    }

    /** Name of the placeholder that pairs each row of an [input; reference] batch with its partner (DeepLIFT). */
    static final String SWAP = "swap__";

    /**
     * How non-linearities pass the backward quantity: the derivative ({@link #GRADIENT}, with the ReLU rule),
     * DeepLIFT's secant slope between the rows of an [input; reference] batch ({@link #rescale()}), or LRP-epsilon's
     * ratio {@code f(z) / (z + eps sign z)} ({@link #lrp(double)}). For the last two every op on the input's path
     * must be linear in it (or an activation, or a maximum): anything else is refused, naming the op.
     */
    static final class Propagation {
        static final Propagation GRADIENT = new Propagation(0, 0, null, null);
        final int kind;
        final double eps;
        final org.deeplearning4j.interpret.gradient.LrpComposite composite;
        final List<String> weightedLayers;

        private Propagation(int kind, double eps, org.deeplearning4j.interpret.gradient.LrpComposite composite,
                List<String> weightedLayers) {
            this.kind = kind;
            this.eps = eps;
            this.composite = composite;
            this.weightedLayers = weightedLayers;
        }

        static Propagation rescale() {
            return new Propagation(1, 0, null, null);
        }

        /** @return DeepLIFT's RevealCancel rule ({@link SameDiffRevealCancel}) */
        static Propagation revealCancel() {
            return new Propagation(4, 0, null, null);
        }

        static Propagation lrp(double eps) {
            return new Propagation(2, eps, null, null);
        }

        /**
         * @param composite the rules
         * @param weightedLayers the graph's weighted ops ({@link SameDiffLrp#layers})
         * @return relevance itself flows backwards: unchanged through activations, by the composite's rule at
         *         weighted ops (with the per-channel affine ops after them folded in), to the maxima at maxima, as
         *         gradients through ops that only move values, and by LRP-epsilon with the stabiliser only through
         *         other linear ops
         */
        static Propagation relevance(org.deeplearning4j.interpret.gradient.LrpComposite composite,
                List<String> weightedLayers) {
            return new Propagation(3, 0, composite, List.copyOf(weightedLayers));
        }

        String key() {
            return kind == 0 ? "gradient" : kind == 1 ? "rescale" : kind == 2 ? "lrp" + eps : kind == 4
                    ? "revealCancel" : "relevance" + composite;
        }
    }

    /** Ops linear in the input (affine with constants) that pass rule quantities as gradients. */
    private static final Set<String> LINEAR = Set.of("conv2d", "xw_plus_b", "matmul", "mmul", "add", "sub", "subtract",
            "biasadd", "reshape", "permute", "transpose", "batchnorm", "avgpool2d", "reduce_mean", "reduce_sum",
            "concat", "pad", "identity", "squeeze", "expand_dims", "flatten", "neg", "slice", "strided_slice",
            "deconv2d", "depthwise_conv2d", "upsampling2d", "stack", "unstack", "split", "flatten_2d", "add_scalar",
            "sub_scalar", "rsub_scalar", "mul_scalar", "div_scalar");

    /** Ops that only move, copy or select values: relevance moves with them as a gradient would. */
    private static final Set<String> MOVERS = Set.of("reshape", "permute", "transpose", "concat", "identity",
            "squeeze", "expand_dims", "flatten", "flatten_2d", "slice", "strided_slice", "stack", "unstack", "split");

    /** Ops linear in each argument: only one of their arguments may depend on the input. */
    private static final Set<String> BILINEAR = Set.of("conv2d", "xw_plus_b", "matmul", "mmul", "deconv2d",
            "depthwise_conv2d", "mul", "multiply");

    static boolean isRuleActivation(String name) {
        return RECTIFIERS.contains(name) || (OTHER_ACTIVATIONS.contains(name) && !name.equals("softmax")
                && !name.equals("prelu"));
    }

    static SameDiff build(SameDiff copy, List<String> layers, List<INDArray> seeds, ReluRule rule, String wrt,
            Map<String, INDArray> probe, Propagation prop) {
        List<SameDiffOp> ops = SameDiffSessions.opsInOrder(copy);
        Set<String> fromInput = descendants(copy, ops, wrt);
        SameDiffOpRules.check(pathOps(ops, fromInput, SameDiffModel.ancestors(copy, layers)));
        if (prop.kind == 4) {
            return SameDiffRevealCancel.build(copy, ops, fromInput, layers.get(0), seeds.get(0), wrt, probe);
        }
        Map<String, SDVariable> grads = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            long[] shape = seeds.get(i).shape().clone();
            shape[0] = -1;
            SDVariable seed = copy.placeHolder(seedName(i), seeds.get(i).dataType(), shape);
            grads.merge(layers.get(i), seed, SDVariable::add);
        }
        Map<String, long[]> shapes = staticShapes(copy, ops, probe);
        Set<String> dependsOn = new java.util.HashSet<>(layers);
        SDVariable swap = prop.kind == 1 ? copy.placeHolder(SWAP, DataType.INT32, -1) : null;
        SameDiffLrp.Plan plan = null;
        if (prop.kind == 3) {
            for (SameDiffOp op : pathOps(ops, fromInput, fromInput)) {
                checkLinear(op.getOp(), op.getOp().opName(), op.getOp().argNames(), fromInput);
            }
            plan = SameDiffLrp.plan(copy, ops, fromInput, new java.util.HashSet<>(layers), shapes, prop.composite,
                    prop.weightedLayers);
        }
        for (int i = ops.size() - 1; i >= 0; i--) {
            SameDiffOp op = ops.get(i);
            List<String> outs = op.getOutputsOfOp();
            if (outs != null && outs.stream().anyMatch(dependsOn::contains) && op.getInputsToOp() != null) {
                dependsOn.addAll(op.getInputsToOp());
            }
            if (outs == null || outs.stream().noneMatch(grads::containsKey)) {
                continue;
            }
            DifferentialFunction f = op.getOp();
            String[] args = f.argNames();
            SDVariable e = grads.get(outs.get(0));
            List<SDVariable> gin;
            String name = f.opName();
            if (prop.kind != 0 && Arrays.stream(args).anyMatch(fromInput::contains)) {
                checkLinear(f, name, args, fromInput);
            }
            if (plan != null && plan.segments.containsKey(op.getName())) {
                gin = List.of(SameDiffLrp.relevance(copy, plan.segments.get(op.getName()), e));
            } else if (plan != null && (plan.folded.contains(op.getName()) || isRuleActivation(name))) {
                // folded per-channel affine ops and activations pass relevance on unchanged
                gin = new ArrayList<>();
                for (String a : args) {
                    gin.add(fromInput.contains(a) ? e : null);
                }
            } else if (prop.kind != 0 && isRuleActivation(name)) {
                gin = List.of(ruleActivation(copy, f, args[0], outs.get(0), e, prop, swap));
            } else if (RECTIFIERS.contains(name) && rule != ReluRule.NORMAL) {
                gin = rule.atRectifier(e, g -> copy.nn().relu(g, 0.0), g -> f.doDiff(List.of(g)), g -> List.of(g));
            } else if ("maxpool2d".equals(name)) {
                gin = List.of(maxPool(copy, (DynamicCustomOp) f, copy.getVariable(args[0]), e, shapes));
            } else if ("batchnorm".equals(name)) {
                gin = List.of(e.mul(batchNormScale(copy, (DynamicCustomOp) f, args, shapes)));
            } else if ("reduce_max".equals(name) && args.length == 1) {
                gin = List.of(reduceMax(f, copy.getVariable(args[0]), e, shapes));
            } else if ("maximum".equals(name) && args.length == 2) {
                List<SDVariable> ins = List.of(copy.getVariable(args[0]), copy.getVariable(args[1]));
                gin = MaxRules.elementWise(ins, copy.getVariable(outs.get(0)), e, e.dataType());
            } else if (plan != null && !MOVERS.contains(name)) {
                gin = epsilonLinear(copy, op, e, fromInput, shapes);
            } else {
                List<SDVariable> gout = new ArrayList<>();
                for (String o : outs) {
                    gout.add(grads.containsKey(o) ? grads.get(o) : copy.getVariable(o).mul(0.0));
                }
                gin = f.doDiff(gout);
            }
            for (int j = 0; j < args.length && j < gin.size(); j++) {
                SDVariable a = copy.getVariable(args[j]);
                if (gin.get(j) == null || a == null || !a.dataType().isFPType()
                        || a.getVariableType() == VariableType.VARIABLE
                        || a.getVariableType() == VariableType.CONSTANT) {
                    continue;
                }
                grads.merge(args[j], gin.get(j), SDVariable::add);
            }
        }
        SDVariable gx = grads.get(wrt);
        if (gx == null && dependsOn.contains(wrt)) {
            // never zeros in place of a gradient that an op failed to pass on
            throw new InterpretException("No gradient reaches '" + wrt + "' from " + layers + " although they depend "
                    + "on it: an op on the path gives no gradient to its input; this graph cannot be differentiated "
                    + "reliably");
        }
        if (gx == null) {
            // the seeded variables do not depend on wrt: the gradient is exactly zero
            gx = copy.getVariable(wrt).mul(0.0);
        }
        copy.identity(GRADIENT, gx);
        return copy;
    }

    /**
     * @param ordered the graph's ops in dependency order
     * @return {@code wrt} and the floating-point variables computed from it: shape computations (integer outputs)
     *         carry no gradient and are no part of the rules' paths
     */
    static Set<String> descendants(SameDiff sd, List<SameDiffOp> ordered, String wrt) {
        Set<String> fromInput = new java.util.HashSet<>(Set.of(wrt));
        for (SameDiffOp op : ordered) {
            if (op.getInputsToOp() == null || op.getOutputsOfOp() == null
                    || op.getInputsToOp().stream().noneMatch(fromInput::contains)) {
                continue;
            }
            for (String o : op.getOutputsOfOp()) {
                SDVariable v = sd.getVariable(o);
                if (v != null && v.dataType().isFPType()) {
                    fromInput.add(o);
                }
            }
        }
        return fromInput;
    }

    /**
     * @param fromInput the input's descendants ({@link #descendants})
     * @param feeding the variables of interest
     * @return the ops, in order, that read the input's descendants and compute one of them that is in
     *         {@code feeding}
     */
    static List<SameDiffOp> pathOps(List<SameDiffOp> ordered, Set<String> fromInput, Set<String> feeding) {
        List<SameDiffOp> path = new ArrayList<>();
        for (SameDiffOp op : ordered) {
            List<String> ins = op.getInputsToOp();
            List<String> outs = op.getOutputsOfOp();
            if (ins != null && outs != null && ins.stream().anyMatch(fromInput::contains)
                    && outs.stream().anyMatch(o -> fromInput.contains(o) && feeding.contains(o))) {
                path.add(op);
            }
        }
        return path;
    }

    /**
     * LRP-epsilon with the stabiliser only at a linear op without weights: each input-dependent argument {@code x_i}
     * gets {@code x_i * J_i^T (R / z)}.
     */
    private static List<SDVariable> epsilonLinear(SameDiff sd, SameDiffOp op, SDVariable r, Set<String> fromInput,
            Map<String, long[]> shapes) {
        DifferentialFunction f = op.getOp();
        String[] args = f.argNames();
        if (op.getOutputsOfOp().size() != 1) {
            throw new InterpretException("LRP cannot pass relevance through op '" + f.getOwnName() + "' ("
                    + f.opName() + "): it has " + op.getOutputsOfOp().size() + " outputs");
        }
        SDVariable s = SameDiffLrp.ratio(sd, r, sd.getVariable(op.getOutputsOfOp().get(0)));
        List<SDVariable> g = "batchnorm".equals(f.opName())
                ? List.of(s.mul(batchNormScale(sd, (DynamicCustomOp) f, args, shapes))) : f.doDiff(List.of(s));
        List<SDVariable> out = new ArrayList<>();
        for (int j = 0; j < args.length && j < g.size(); j++) {
            out.add(fromInput.contains(args[j]) && g.get(j) != null ? sd.getVariable(args[j]).mul(g.get(j)) : null);
        }
        return out;
    }

    /** @throws InterpretException for an op on the input's path that a rule-based pass cannot treat as linear */
    static void checkLinear(DifferentialFunction f, String name, String[] args, Set<String> fromInput) {
        long dependent = Arrays.stream(args).filter(fromInput::contains).count();
        if (BILINEAR.contains(name) && dependent > 1) {
            throw new InterpretException("DeepLIFT and LRP need every op between the input and the target to be "
                    + "linear in the input; op '" + f.getOwnName() + "' (" + name + ", output "
                    + String.join(", ", f.outputVariablesNames()) + ") multiplies two values computed from the input."
                    + " Use a gradient method (IntegratedGradients, GradientShap) on this graph");
        }
        if (isRuleActivation(name) || LINEAR.contains(name) || "maxpool2d".equals(name) || "reduce_max".equals(name)
                || "maximum".equals(name)) {
            return;
        }
        boolean product = "mul".equals(name) || "multiply".equals(name);
        boolean quotient = "div".equals(name) || "divide".equals(name) || "realdiv".equals(name);
        if ((product && dependent == 1) || (quotient && dependent == 1 && fromInput.contains(args[0]))) {
            return; // scaling by something that does not depend on the input
        }
        throw new InterpretException("DeepLIFT and LRP need every op between the input and the target to be linear "
                + "in the input, an activation or a maximum; op '" + f.getOwnName() + "' (" + name + ", output "
                + String.join(", ", f.outputVariablesNames()) + ") is not. Use "
                + "a gradient method (IntegratedGradients, GradientShap) on this graph");
    }

    /** DeepLIFT's secant or LRP-epsilon's ratio at an element-wise activation {@code y = f(z)}. */
    private static SDVariable ruleActivation(SameDiff sd, DifferentialFunction f, String in, String out,
            SDVariable e, Propagation prop, SDVariable swap) {
        SDVariable z = sd.getVariable(in);
        SDVariable y = sd.getVariable(out);
        DataType dt = z.dataType();
        if (prop.kind == 2) {
            return e.mul(SameDiffLrp.ratio(sd, y, SameDiffLrp.stabilise(z, prop.eps)));
        }
        // the partner row: the reference for an input row (and the input for a reference row)
        SDVariable z0 = sd.gather(z, swap, 0);
        SDVariable y0 = sd.gather(y, swap, 0);
        double rel = dt == DataType.DOUBLE ? 1e-12 : 1e-5;
        SDVariable tol = sd.math().max(sd.math().max(sd.math().abs(z), sd.math().abs(z0)).mul(rel),
                sd.constant(Nd4j.scalar(dt, 1e-7)));
        SDVariable small = sd.math().abs(z.sub(z0)).lt(tol).castTo(dt);
        SDVariable secant = y.sub(y0).div(z.sub(z0).add(small));
        SDVariable derivative = f.doDiff(List.of(e)).get(0);
        return e.mul(secant).mul(small.rsub(1.0)).add(derivative.mul(small));
    }

    static Map<String, long[]> staticShapes(SameDiff copy, List<SameDiffOp> ops, Map<String, INDArray> probe) {
        Set<String> names = new LinkedHashSet<>();
        for (SameDiffOp op : ops) {
            String n = op.getOp().opName();
            if ("maxpool2d".equals(n) || "reduce_max".equals(n) || "batchnorm".equals(n)
                    || SameDiffLrp.weighted(n)) {
                names.add(op.getInputsToOp().get(0));
                names.add(op.getOutputsOfOp().get(0));
            }
        }
        return shapesOf(copy, probe, names);
    }

    /** @return the batch-1 shapes of the named variables, from one run on the probe feeds */
    static Map<String, long[]> shapesOf(SameDiff sd, Map<String, INDArray> probe, Set<String> names) {
        Map<String, long[]> shapes = new HashMap<>();
        if (names.isEmpty()) {
            return shapes;
        }
        Map<String, INDArray> out = SameDiffSessions.output(sd, probe, names.toArray(new String[0]));
        out.forEach((k, v) -> shapes.put(k, v.shape()));
        return shapes;
    }

    /** Max pooling's rule at input values {@code x}: each window's quantity to its maxima (ties split). */
    static SDVariable maxPool(SameDiff sd, DynamicCustomOp op, SDVariable x, SDVariable e,
            Map<String, long[]> shapes) {
        String in = op.argNames()[0];
        String out = op.outputVariablesNames()[0];
        long[] a = op.iArgs();
        // libnd4j's maxpool2d arguments: kH, kW, sH, sW, pH, pW, dH, dW, same mode, extra, NHWC
        if (a.length < 9 || (a.length > 10 && a[10] != 0)) {
            throw new InterpretException("Max pooling op '" + op.getOwnName() + "' has arguments "
                    + Arrays.toString(a) + "; only NCHW max pooling is supported on SameDiff graphs");
        }
        MaxRules.Window win = new MaxRules.Window(new int[] {(int) a[0], (int) a[1]}, new int[] {(int) a[2],
                (int) a[3]}, new int[] {(int) a[4], (int) a[5]}, new int[] {(int) Math.max(1, a[6]),
                (int) Math.max(1, a[7])}, a[8] != 0);
        return MaxRules.pool(sd, x, e, win, shapes.get(in), shapes.get(out), x.dataType());
    }

    /**
     * Inference batch norm {@code y = gamma (x - mean) / sqrt(var + eps) + beta}: {@code dy/dx = gamma / sqrt(var +
     * eps)} per channel. ND4J's own {@code BatchNorm.doDiff} fails on copied and imported graphs ("axis must be
     * specified", its axis field is not restored), so the rule reads libnd4j's arguments: integer arguments
     * {@code applyGamma, applyBeta, axis...}, the epsilon as the first floating-point argument.
     *
     * @return the per-channel scale, shaped to broadcast against the op's input
     */
    static SDVariable batchNormScale(SameDiff sd, DynamicCustomOp op, String[] args, Map<String, long[]> shapes) {
        long[] ia = op.iArgs();
        double[] ta = op.tArgs();
        if (ia.length < 2 || ta.length < 1 || args.length < 3) {
            throw new InterpretException("Batch norm op '" + op.getOwnName() + "' has arguments "
                    + Arrays.toString(ia) + " / " + Arrays.toString(ta) + "; expected applyGamma, applyBeta, axis and "
                    + "an epsilon");
        }
        long[] in = shapes.get(args[0]);
        int rank = in.length;
        int axis = ia.length > 2 ? (int) ia[2] : rank - 1;
        axis = axis < 0 ? axis + rank : axis;
        SDVariable scale = sd.math().pow(sd.getVariable(args[2]).add(ta[0]), -0.5);
        if (ia[0] != 0) {
            scale = scale.mul(sd.getVariable(args[3]));
        }
        long[] b = new long[rank];
        Arrays.fill(b, 1);
        b[axis] = in[axis];
        return scale.reshape(b);
    }

    /** Reduce-max's rule at input values {@code x}. */
    static SDVariable reduceMax(DifferentialFunction f, SDVariable x, SDVariable e, Map<String, long[]> shapes) {
        String in = f.argNames()[0];
        int[] dims = f instanceof org.nd4j.linalg.api.ops.BaseReduceOp
                ? ((org.nd4j.linalg.api.ops.BaseReduceOp) f).getDimensions() : null;
        long[] inShape = shapes.get(in);
        if (dims == null || dims.length == 0) {
            dims = new int[inShape.length];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = i;
            }
        }
        long[] kept = inShape.clone();
        kept[0] = -1;
        for (int d : dims) {
            kept[d < 0 ? d + kept.length : d] = 1;
        }
        return MaxRules.global(x, e.reshape(kept), dims, x.dataType());
    }
}
