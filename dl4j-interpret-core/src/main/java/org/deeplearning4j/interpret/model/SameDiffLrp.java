package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.gradient.LrpComposite;
import org.deeplearning4j.interpret.gradient.LrpRule;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link LrpRule}s of an {@link LrpComposite} at the weighted ops of a SameDiff graph, written into the graph's
 * relevance pass ({@link SameDiffReverse}). A weighted op is a convolution ({@code conv2d}) or a matrix product
 * ({@code matmul}, {@code xw_plus_b}) that reads the input's descendants through its first argument and constants
 * (variables) through the others; these are the graph's parameter layers, named by their first output, in op order
 * (the first one reads the input: {@link LrpComposite}'s {@code first} rule).
 *
 * <p>The per-channel affine ops that follow a weighted op and only it (a bias {@code add}/{@code biasadd}/{@code sub},
 * a scaling {@code mul}/{@code div} by a per-channel constant, an inference {@code batchnorm} on its channel axis)
 * are folded into it like DL4J's batch normalization folding: the rule sees {@code z = S (W a) + B} with per-channel
 * {@code S} and {@code B}. The folded weights {@code S W} are never built (their layout would matter); their signed
 * parts are output-side combinations instead, {@code (S W)+ a = S+ (W+ a) + S- (W- a)}. Everything is written as graph
 * ops over the graph's own variables, so weight updates are seen.
 */
final class SameDiffLrp {
    /** Weighted ops whose rules are written here. */
    private static final Set<String> WEIGHTED = Set.of("conv2d", "matmul", "mmul", "xw_plus_b");
    /** Weighted ops that only the uniform epsilon rule covers. */
    static final Set<String> OTHER_WEIGHTED = Set.of("deconv2d", "depthwise_conv2d", "sconv2d", "conv1d", "conv3dnew");
    /** Ops after which every value is >= 0, and ops that keep that true. */
    private static final Set<String> NON_NEGATIVE = Set.of("relu", "relu6", "sigmoid", "softmax");
    private static final Set<String> KEEP_SIGN = Set.of("maxpool2d", "avgpool2d", "reshape", "flatten", "permute",
            "transpose", "identity", "squeeze", "expand_dims", "reduce_max", "reduce_mean", "pad");

    private SameDiffLrp() {
    }

    /** @return true for an op whose weights the rules change */
    static boolean weighted(String opName) {
        return WEIGHTED.contains(opName) || OTHER_WEIGHTED.contains(opName);
    }

    /**
     * @param sd the graph
     * @param input the input placeholder
     * @param onPath the variables the logits depend on
     * @return the first outputs of the weighted ops between the input and the logits, in op order
     */
    static List<String> layers(SameDiff sd, String input, Set<String> onPath) {
        List<SameDiffOp> ordered = org.deeplearning4j.interpret.internal.SameDiffSessions.opsInOrder(sd);
        List<String> out = new ArrayList<>();
        for (SameDiffOp op : SameDiffReverse.pathOps(ordered, SameDiffReverse.descendants(sd, ordered, input),
                onPath)) {
            if (weighted(op.getOp().opName()) && onPath.contains(op.getOutputsOfOp().get(0))) {
                out.add(op.getOutputsOfOp().get(0));
            }
        }
        return out;
    }

    /** @return true for a convolution among the weighted ops */
    static boolean convolution(String opName) {
        return opName.contains("conv");
    }

    /** A weighted op with the per-channel affine ops after it folded in. */
    static final class Segment {
        private final DifferentialFunction op;
        private final boolean conv;
        private final int axis;
        private final int rank;
        private final LrpRule rule;
        private final boolean nonNegativeInput;
        private SDVariable scale;
        private SDVariable shift;

        private Segment(DifferentialFunction op, boolean conv, int axis, int rank, LrpRule rule,
                boolean nonNegativeInput) {
            this.op = op;
            this.conv = conv;
            this.axis = axis;
            this.rank = rank;
            this.rule = rule;
            this.nonNegativeInput = nonNegativeInput;
        }

        /** {@code z <- k z + t} per channel (either may be null). */
        private void then(SDVariable k, SDVariable t) {
            if (k != null) {
                scale = scale == null ? k : scale.mul(k);
                shift = shift == null ? null : shift.mul(k);
            }
            if (t != null) {
                shift = shift == null ? t : shift.add(t);
            }
        }
    }

    /** Where the rules apply in one graph: weighted ops by op name, and the folded ops that pass relevance on. */
    static final class Plan {
        final Map<String, Segment> segments = new HashMap<>();
        final Set<String> folded = new HashSet<>();
    }

    /**
     * @param sd the graph (nothing is added)
     * @param ops its ops in order
     * @param fromInput the variables computed from the input
     * @param seeded the seeded variables (folding stops at them)
     * @param shapes static batch-1 shapes of the weighted ops' outputs
     * @param composite the rules
     * @param layers the weighted ops' outputs from {@link #layers}
     * @return the plan
     * @throws InterpretException for a weighted op the rules cannot change, naming it
     */
    static Plan plan(SameDiff sd, List<SameDiffOp> ops, Set<String> fromInput, Set<String> seeded,
            Map<String, long[]> shapes, LrpComposite composite, List<String> layers) {
        Plan plan = new Plan();
        List<String> convs = new ArrayList<>();
        for (String l : layers) {
            if (convolution(sd.getVariableOutputOp(l).opName())) {
                convs.add(l);
            }
        }
        for (SameDiffOp op : ops) {
            DifferentialFunction f = op.getOp();
            String name = f.opName();
            String[] args = f.argNames();
            String out = op.getOutputsOfOp().get(0);
            if (!weighted(name) || !layers.contains(out)) {
                continue; // not a layer between the input and the logits (e.g. an op an import repair replaced)
            }
            int index = layers.indexOf(out);
            boolean conv = convolution(name);
            LrpRule rule = composite.ruleFor(out, index, conv, convs.indexOf(out), convs.size());
            long[] shape = shapes.get(out);
            int axis = channelAxis(f, shape.length);
            checkWeighted(f, out, args, fromInput, shapes);
            Segment seg = new Segment(f, conv, axis, shape.length, rule, nonNegative(sd, args[0], 0));
            int channels = (int) shape[axis];
            if (args.length > 2) {
                seg.then(null, sd.getVariable(args[2]).reshape(channels));
            }
            String v = out;
            int at = seg.axis;
            while (!seeded.contains(v)) {
                Variable meta = sd.getVariables().get(v);
                List<String> consumers = meta == null ? null : meta.getInputsForOp();
                if (consumers == null || consumers.size() != 1) {
                    break;
                }
                SameDiffOp next = sd.getOps().get(consumers.get(0));
                if (next == null || next.getOutputsOfOp() == null || next.getOutputsOfOp().size() != 1) {
                    break;
                }
                int moved = movedAxis(next.getOp(), at, seg.rank);
                if (moved >= 0) {
                    // a layout change (imports wrap convolutions in NHWC permutes): relevance moves through it as a
                    // gradient; the channel is the same, at another axis
                    at = moved;
                } else if (fold(sd, next, v, seg, channels, fromInput, shapes, at)) {
                    plan.folded.add(next.getName());
                } else {
                    break;
                }
                v = next.getOutputsOfOp().get(0);
            }
            plan.segments.put(op.getName(), seg);
        }
        return plan;
    }

    /** @return where a single-input layout op puts the channel axis, or -1 if the op is not one */
    private static int movedAxis(DifferentialFunction f, int axis, int rank) {
        String n = f.opName();
        String[] args = f.argNames();
        if (args.length != 1) {
            return -1;
        }
        if ("identity".equals(n) || "concat".equals(n)) {
            return axis;
        }
        if (("permute".equals(n) || "transpose".equals(n)) && f instanceof DynamicCustomOp) {
            long[] perm = ((DynamicCustomOp) f).iArgs();
            if (perm.length == rank) {
                for (int j = 0; j < rank; j++) {
                    if (perm[j] == axis) {
                        return j;
                    }
                }
            }
        }
        return -1;
    }

    private static int channelAxis(DifferentialFunction f, int rank) {
        if (!convolution(f.opName())) {
            return rank - 1;
        }
        long[] ia = ((DynamicCustomOp) f).iArgs();
        // libnd4j's conv2d arguments: kH, kW, sH, sW, pH, pW, dH, dW, same mode, NHWC, weights format
        return ia.length > 9 && ia[9] != 0 ? 3 : 1;
    }

    private static void checkWeighted(DifferentialFunction f, String out, String[] args, Set<String> fromInput,
            Map<String, long[]> shapes) {
        String name = f.opName();
        String why = null;
        if (OTHER_WEIGHTED.contains(name)) {
            why = "only the uniform epsilon rule covers " + name + " ops";
        } else if (!fromInput.contains(args[0])) {
            why = "it reads the input through its weights argument (the rules need the input first and constant "
                    + "weights after)";
        } else if (!convolution(name)) {
            long[] ia = ((DynamicCustomOp) f).iArgs();
            long[] inShape = shapes.get(args[0]);
            if (ia.length > 0 && (ia[0] != 0 || (ia.length > 2 && ia[2] != 0))) {
                why = "it transposes its input or its result";
            } else if (inShape != null && inShape.length != 2) {
                why = "its input has rank " + inShape.length + " (the rules need [batch, features])";
            }
        }
        if (why != null) {
            throw new InterpretException("LRP rules other than uniform epsilon cannot be applied at op '"
                    + f.getOwnName() + "' (" + name + ", output " + out + "): " + why + ". Use "
                    + "LrpComposite.uniform(LrpRule.epsilon(e)) on this graph, or wrap the network as a "
                    + "MultiLayerNetwork or ComputationGraph");
        }
    }

    /** @return whether every value of {@code v} is >= 0 by construction (after a rectifier, through pooling) */
    private static boolean nonNegative(SameDiff sd, String v, int depth) {
        DifferentialFunction p = sd.getVariableOutputOp(v);
        if (p == null || depth > 8) {
            return false;
        }
        String n = p.opName();
        if (NON_NEGATIVE.contains(n)) {
            return !"relu".equals(n) || !(p instanceof DynamicCustomOp)
                    || ((DynamicCustomOp) p).tArgs().length == 0 || ((DynamicCustomOp) p).tArgs()[0] >= 0;
        }
        return KEEP_SIGN.contains(n) && nonNegative(sd, p.argNames()[0], depth + 1);
    }

    /** Folds op {@code next}, which reads {@code v}, into the segment if it is a per-channel affine map of it. */
    private static boolean fold(SameDiff sd, SameDiffOp next, String v, Segment seg, int channels,
            Set<String> fromInput, Map<String, long[]> shapes, int at) {
        DifferentialFunction f = next.getOp();
        String n = f.opName();
        String[] args = f.argNames();
        if (next.getOutputsOfOp() == null || next.getOutputsOfOp().size() != 1) {
            return false;
        }
        if ("batchnorm".equals(n)) {
            long[] ia = ((DynamicCustomOp) f).iArgs();
            double[] ta = ((DynamicCustomOp) f).tArgs();
            int axis = ia.length > 2 ? (int) (ia[2] < 0 ? ia[2] + seg.rank : ia[2]) : seg.rank - 1;
            if (!args[0].equals(v) || axis != at || ta.length < 1 || ia.length < 2
                    || Arrays.stream(args).skip(1).anyMatch(fromInput::contains)) {
                return false;
            }
            SDVariable k = SameDiffReverse.batchNormScale(sd, (DynamicCustomOp) f, args, shapes).reshape(channels);
            SDVariable t = sd.getVariable(args[1]).reshape(channels).mul(k).neg();
            if (ia[1] != 0) {
                t = t.add(sd.getVariable(args[ia[0] != 0 ? 4 : 3]).reshape(channels));
            }
            seg.then(k, t);
            return true;
        }
        if (args.length != 2 || !(args[0].equals(v) || args[1].equals(v)) || args[0].equals(args[1])) {
            return false;
        }
        String other = args[0].equals(v) ? args[1] : args[0];
        boolean first = args[0].equals(v);
        if (fromInput.contains(other)) {
            return false;
        }
        if ("biasadd".equals(n)) {
            boolean[] ba = ((DynamicCustomOp) f).bArgs();
            int axis = ba.length > 0 && ba[0] ? 1 : seg.rank - 1;
            if (axis != at || !first) {
                return false;
            }
            seg.then(null, sd.getVariable(other).reshape(channels));
            return true;
        }
        SDVariable c = perChannel(sd, other, seg.rank, at, channels);
        if (c == null) {
            return false;
        }
        switch (n) {
            case "add":
                seg.then(null, c);
                return true;
            case "sub":
            case "subtract":
                if (!first) {
                    return false;
                }
                seg.then(null, c.neg());
                return true;
            case "mul":
            case "multiply":
                seg.then(c, null);
                return true;
            case "div":
            case "divide":
            case "realdiv":
                if (!first) {
                    return false;
                }
                seg.then(c.rdiv(1.0), null);
                return true;
            default:
                return false;
        }
    }

    /** @return a constant as a {@code [C]} vector if it is one value per channel (or one value), else null */
    private static SDVariable perChannel(SameDiff sd, String name, int rank, int at, int channels) {
        SDVariable v = sd.getVariable(name);
        if (v == null || (v.getVariableType() != VariableType.VARIABLE
                && v.getVariableType() != VariableType.CONSTANT) || v.getArr() == null) {
            return null;
        }
        long[] s = v.getArr().shape();
        if (s.length > rank) {
            return null;
        }
        for (int i = 0; i < s.length; i++) {
            int ax = rank - s.length + i;
            if (s[i] != 1 && !(ax == at && s[i] == channels)) {
                return null;
            }
        }
        long len = v.getArr().length();
        if (len == channels) {
            return v.reshape(channels);
        }
        return sd.constant(org.nd4j.linalg.factory.Nd4j.ones(v.dataType(), channels)).mul(v.reshape(1));
    }

    // -------------------------------------------------------------------------------------------- the rules

    /** Which weights a term uses: the folded weights, their positive or negative part, their square, or ones. */
    private enum Part { ALL, POS, NEG, SQUARE, ONES }

    /**
     * @param sd the graph being built
     * @param seg the weighted op
     * @param r the relevance of its (folded) output
     * @return the relevance of its input
     */
    static SDVariable relevance(SameDiff sd, Segment seg, SDVariable r) {
        Terms t = new Terms(sd, seg);
        SDVariable a = sd.getVariable(seg.op.argNames()[0]);
        LrpRule rule = seg.rule;
        switch (rule.kind()) {
            case EPSILON: {
                SDVariable z = t.forward(a, Part.ALL).add(t.bias(false, false));
                SDVariable s = ratio(sd, r, stabilise(z, rule.epsilon()));
                return a.mul(t.transpose(a, Part.ALL, s));
            }
            case GAMMA: {
                double p = rule.gamma();
                SDVariable z = t.forward(a, Part.ALL).add(t.forward(a, Part.POS).mul(p)).add(t.bias(false, false))
                        .add(t.bias(true, false).mul(p));
                SDVariable s = ratio(sd, r, z);
                return a.mul(t.transpose(a, Part.ALL, s).add(t.transpose(a, Part.POS, s).mul(p)));
            }
            case ALPHA_BETA:
            case Z_PLUS: {
                boolean bias = rule.kind() == LrpRule.Kind.ALPHA_BETA;
                double p = rule.alpha();
                double q = rule.beta();
                SDVariable pos = signed(sd, t, a, r, Part.POS, Part.NEG, bias ? t.bias(true, false) : null, seg);
                if (q == 0) {
                    return p == 1 ? pos : pos.mul(p);
                }
                SDVariable neg = signed(sd, t, a, r, Part.NEG, Part.POS, bias ? t.bias(false, true) : null, seg);
                return pos.mul(p).sub(neg.mul(q));
            }
            case Z_BOX: {
                SDVariable low = t.ones(a).mul(rule.low());
                SDVariable high = t.ones(a).mul(rule.high());
                SDVariable z = t.forward(a, Part.ALL).add(t.bias(false, false)).sub(t.forward(low, Part.POS))
                        .sub(t.forward(high, Part.NEG));
                SDVariable s = ratio(sd, r, z);
                return a.mul(t.transpose(a, Part.ALL, s)).sub(low.mul(t.transpose(low, Part.POS, s)))
                        .sub(high.mul(t.transpose(high, Part.NEG, s)));
            }
            case FLAT: {
                SDVariable ones = t.ones(a);
                SDVariable s = ratio(sd, r, t.forward(ones, Part.ONES));
                return t.transpose(ones, Part.ONES, s);
            }
            default: {
                SDVariable ones = t.ones(a);
                SDVariable s = ratio(sd, r, t.forward(ones, Part.SQUARE));
                return t.transpose(ones, Part.SQUARE, s);
            }
        }
    }

    /** The alpha-beta terms of one sign: inputs' positive parts through {@code same}, negative through {@code other}. */
    private static SDVariable signed(SameDiff sd, Terms t, SDVariable a, SDVariable r, Part same, Part other,
            SDVariable bias, Segment seg) {
        SDVariable ap = sd.nn().relu(a, 0.0);
        SDVariable z = t.forward(ap, same);
        SDVariable an = seg.nonNegativeInput ? null : a.sub(ap);
        if (an != null) {
            z = z.add(t.forward(an, other));
        }
        if (bias != null) {
            z = z.add(bias);
        }
        SDVariable s = ratio(sd, r, z);
        SDVariable out = ap.mul(t.transpose(ap, same, s));
        return an == null ? out : out.add(an.mul(t.transpose(an, other, s)));
    }

    /** @return {@code num / den} where {@code |den|} exceeds {@link LrpRule#STABILIZER}, else 0 */
    static SDVariable ratio(SameDiff sd, SDVariable num, SDVariable den) {
        SDVariable keep = sd.math().abs(den).gt(LrpRule.STABILIZER).castTo(den.dataType());
        return num.mul(keep).div(den.mul(keep).add(keep.rsub(1.0)));
    }

    /** @return {@code z + eps sign(z)}, sign(0) = 1 */
    static SDVariable stabilise(SDVariable z, double eps) {
        if (eps == 0) {
            return z;
        }
        return z.add(z.gte(0.0).castTo(z.dataType()).mul(2.0).sub(1.0).mul(eps));
    }

    /** The op's linear map with modified weights, forward and transposed, folded scale applied on the output side. */
    private static final class Terms {
        private final SameDiff sd;
        private final Segment seg;
        private final SDVariable w;
        private SDVariable wp;
        private SDVariable wn;
        private SDVariable sp;
        private SDVariable sn;

        Terms(SameDiff sd, Segment seg) {
            this.sd = sd;
            this.seg = seg;
            String[] args = seg.op.argNames();
            SDVariable weights = sd.getVariable(args[1]);
            if (!seg.conv && seg.op instanceof DynamicCustomOp) {
                long[] ia = ((DynamicCustomOp) seg.op).iArgs();
                double[] ta = ((DynamicCustomOp) seg.op).tArgs();
                if (ia.length > 1 && ia[1] != 0) {
                    weights = weights.permute(1, 0);
                }
                if (ta.length > 0 && ta[0] != 1.0 && !"xw_plus_b".equals(seg.op.opName())) {
                    weights = weights.mul(ta[0]);
                }
            }
            this.w = weights;
        }

        /**
         * @return ones shaped like the op's input, zero where a padding op (an import's explicit convolution padding)
         *         put values: bounds and uniform inputs belong to the layer's input, not to its padding
         */
        SDVariable ones(SDVariable a) {
            SDVariable mask = SameDiffOps.unpadded(sd, a.name());
            return mask != null ? mask : a.mul(0.0).add(1.0);
        }

        private SDVariable weights(Part k) {
            switch (k) {
                case ALL:
                    return w;
                case POS:
                case NEG:
                    if (wp == null) {
                        wp = sd.nn().relu(w, 0.0);
                        wn = w.sub(wp);
                    }
                    return k == Part.POS ? wp : wn;
                case SQUARE:
                    return w.mul(w);
                default:
                    return w.mul(0.0).add(1.0);
            }
        }

        private SDVariable channels(SDVariable v) {
            long[] b = new long[seg.rank];
            Arrays.fill(b, 1);
            b[seg.axis] = -1;
            return v.reshape(b);
        }

        private void signedScale() {
            if (sp == null) {
                sp = channels(sd.nn().relu(seg.scale, 0.0));
                sn = channels(seg.scale).sub(sp);
            }
        }

        /** @return the folded bias, or its positive or negative part, broadcast to the output; 0 when none */
        SDVariable bias(boolean positive, boolean negative) {
            if (seg.shift == null) {
                return sd.constant(org.nd4j.linalg.factory.Nd4j.scalar(w.dataType(), 0.0));
            }
            SDVariable b = channels(seg.shift);
            if (positive || negative) {
                SDVariable bp = sd.nn().relu(b, 0.0);
                return positive ? bp : b.sub(bp);
            }
            return b;
        }

        /** @return the op applied to {@code a} with the folded weights' part {@code k} (no bias) */
        SDVariable forward(SDVariable a, Part k) {
            if (seg.scale == null || k == Part.ONES) {
                return map(a, weights(k));
            }
            switch (k) {
                case ALL:
                    return map(a, w).mul(channels(seg.scale));
                case SQUARE:
                    return map(a, weights(k)).mul(channels(seg.scale.mul(seg.scale)));
                default:
                    signedScale();
                    Part flip = k == Part.POS ? Part.NEG : Part.POS;
                    return map(a, weights(k)).mul(sp).add(map(a, weights(flip)).mul(sn));
            }
        }

        /** @return the transposed map of {@code s} with the folded weights' part {@code k}, shaped like {@code a} */
        SDVariable transpose(SDVariable a, Part k, SDVariable s) {
            if (seg.scale == null || k == Part.ONES) {
                return back(a, weights(k), s);
            }
            switch (k) {
                case ALL:
                    return back(a, w, s.mul(channels(seg.scale)));
                case SQUARE:
                    return back(a, weights(k), s.mul(channels(seg.scale.mul(seg.scale))));
                default:
                    signedScale();
                    Part flip = k == Part.POS ? Part.NEG : Part.POS;
                    return back(a, weights(k), s.mul(sp)).add(back(a, weights(flip), s.mul(sn)));
            }
        }

        private SDVariable map(SDVariable a, SDVariable weights) {
            if (seg.conv) {
                return new Conv2D(sd, new SDVariable[] {a, weights}, config()).outputVariable();
            }
            return sd.mmul(a, weights);
        }

        private SDVariable back(SDVariable a, SDVariable weights, SDVariable s) {
            if (seg.conv) {
                Conv2D op = new Conv2D(sd, new SDVariable[] {a, weights}, config());
                op.outputVariable();
                return op.doDiff(List.of(s)).get(0);
            }
            return sd.mmul(s, weights, false, true, false);
        }

        private Conv2DConfig config() {
            return ((Conv2D) seg.op).getConfig();
        }
    }
}
