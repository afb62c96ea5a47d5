package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.internal.engine.MaxRules;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DeepLIFT's RevealCancel rule (Shrikumar et al. 2017, section 3.5.3) written into a private copy of a SameDiff graph,
 * op by op, with the same rules as {@link org.deeplearning4j.interpret.internal.engine.RuleWalker#revealCancel} on DL4J
 * networks. The graph runs on the batch {@code [input; reference]}; every difference from the reference travels as
 * a packed batch {@code [positive part; negative part]} of the same size, so the partner of a row is the same row of
 * the other half ({@link SameDiffReverse#SWAP}).
 *
 * <ul>
 *   <li>Forward differences: ops with weights send each part through the weights of each sign ({@code z+ = W+ x+ +
 *       W- x-}); per-channel scalings (multiplication, division, batch norm) likewise by the scale's sign; constant
 *       offsets drop out; sums add parts; maxima take the parts of their output's change; other linear ops run on
 *       the parts (their constant inputs zeroed); an activation gives each part its effect averaged over the other
 *       part's absence and presence.</li>
 *   <li>Backward multipliers: the transposes of the same signed maps; at activations the part's slope {@code dy+ /
 *       dz+} (the derivative at the input where a part is within 1e-7 of zero); at maxima the input's maxima.</li>
 * </ul>
 * Ops are re-applied to the parts by cloning them ({@link SameDiffOps#reapply}), so every op type the graph uses keeps its own
 * configuration. Ops that are not linear in the input (other than activations and maxima) are refused, naming them.
 */
final class SameDiffRevealCancel {
    /** Placeholder: the packed input difference {@code [relu(x - r); (x - r) - relu(x - r)]}. */
    static final String DELTA = "rc_delta__";
    /** Placeholder (INT32): for each packed row, the row of the input in the {@code [input; reference]} batch. */
    static final String INPUT_ROWS = "rc_input_rows__";
    /** Placeholder (INT32): for each packed row, the row of the reference. */
    static final String REFERENCE_ROWS = "rc_reference_rows__";
    /** Placeholder: +1 for the positive half's rows, -1 for the negative half's. */
    static final String SIGN = "rc_sign__";
    private static final double SMALL = 1e-7;

    private SameDiffRevealCancel() {
    }

    /** The graph being built and its per-variable parts. */
    private static final class Pass {
        final SameDiff sd;
        final Map<String, long[]> shapes;
        final SDVariable swap;
        final SDVariable inputRows;
        final SDVariable referenceRows;
        final SDVariable sign;
        final Map<String, SDVariable> delta = new HashMap<>();
        /** Weighted ops' clones with the weights' positive and negative parts, for the backward pass. */
        final Map<String, DifferentialFunction[]> signedClones = new HashMap<>();

        Pass(SameDiff sd, Map<String, long[]> shapes, DataType dt) {
            this.sd = sd;
            this.shapes = shapes;
            this.swap = sd.placeHolder(SameDiffReverse.SWAP, DataType.INT32, -1);
            this.inputRows = sd.placeHolder(INPUT_ROWS, DataType.INT32, -1);
            this.referenceRows = sd.placeHolder(REFERENCE_ROWS, DataType.INT32, -1);
            this.sign = sd.placeHolder(SIGN, dt, -1);
        }

        SDVariable partner(SDVariable v) {
            return sd.gather(v, swap, 0);
        }

        /** @return {@code a + partner(b)}: the packed parts of a map whose weights are split into a and b */
        SDVariable mix(SDVariable a, SDVariable b) {
            return a.add(partner(b));
        }

        /**
         * @return the packed parts of {@code v} scaled element-wise by {@code k}: each part goes where the scale's
         *         sign sends it (a diagonal map, so the same for differences forward and multipliers backward)
         */
        SDVariable scaled(SDVariable v, SDVariable k) {
            SDVariable kp = sd.nn().relu(k, 0.0);
            return mix(v.mul(kp), v.mul(k.sub(kp)));
        }

        /** @return {@link #scaled(SDVariable, SDVariable)} by a constant */
        SDVariable scaled(SDVariable v, double k) {
            return mix(v.mul(Math.max(k, 0)), v.mul(Math.min(k, 0)));
        }

        /** @return the packed parts of {@code -v}: the negated parts, swapped */
        SDVariable negated(SDVariable v) {
            return partner(v).neg();
        }

        /** @return the sign column, shaped to broadcast against a variable of the given rank */
        SDVariable signFor(int rank) {
            long[] s = new long[rank];
            Arrays.fill(s, 1);
            s[0] = -1;
            return sign.reshape(s);
        }

        /** @return the op applied to other inputs: a clone with {@code replace}'s arguments swapped in */
        DifferentialFunction reapply(DifferentialFunction f, Map<String, SDVariable> replace) {
            return SameDiffOps.reapply(sd, f, replace);
        }

        SDVariable out(DifferentialFunction c) {
            return c.outputVariables()[0];
        }
    }

    /**
     * @param copy a private copy of the graph (changed)
     * @param ops its ops in dependency order
     * @param fromInput the input's descendants ({@link SameDiffReverse#descendants})
     * @param layer the target's variable, seeded with {@link SameDiffReverse#seedName(int) seed 0} (packed)
     * @param seed an example seed (its data type and non-batch shape)
     * @param wrt the input placeholder
     * @param probe batch-1 feeds of every placeholder
     * @return {@code copy}, with the input's packed multipliers as {@link SameDiffReverse#GRADIENT}
     */
    static SameDiff build(SameDiff copy, List<SameDiffOp> ops, Set<String> fromInput, String layer, INDArray seed,
            String wrt, Map<String, INDArray> probe) {
        long[] seedShape = seed.shape().clone();
        seedShape[0] = -1;
        SDVariable seedVar = copy.placeHolder(SameDiffReverse.seedName(0), seed.dataType(), seedShape);
        long[] inShape = probe.get(wrt).shape().clone();
        inShape[0] = -1;
        SDVariable d0 = copy.placeHolder(DELTA, copy.getVariable(wrt).dataType(), inShape);
        List<SameDiffOp> path = SameDiffReverse.pathOps(ops, fromInput, SameDiffModel.ancestors(copy, List.of(layer)));
        Set<String> shapeNames = new HashSet<>();
        for (SameDiffOp op : path) {
            SameDiffReverse.checkLinear(op.getOp(), op.getOp().opName(), op.getOp().argNames(), fromInput);
            shapeNames.addAll(op.getInputsToOp());
            shapeNames.addAll(op.getOutputsOfOp());
        }
        shapeNames.removeIf(n -> copy.getVariable(n) == null || copy.getVariable(n).getVariableType()
                == VariableType.CONSTANT || copy.getVariable(n).getVariableType() == VariableType.VARIABLE);
        Map<String, long[]> shapes = SameDiffReverse.shapesOf(copy, probe, shapeNames);
        Pass p = new Pass(copy, shapes, copy.getVariable(wrt).dataType());
        p.delta.put(wrt, d0);
        for (SameDiffOp op : path) {
            forward(p, op, fromInput);
        }
        Map<String, SDVariable> m = new HashMap<>();
        m.put(layer, seedVar);
        for (int i = path.size() - 1; i >= 0; i--) {
            SameDiffOp op = path.get(i);
            if (op.getOutputsOfOp().stream().noneMatch(m::containsKey)) {
                continue;
            }
            List<SDVariable> gin = backward(p, op, m, fromInput);
            String[] args = op.getOp().argNames();
            for (int j = 0; j < args.length && j < gin.size(); j++) {
                if (gin.get(j) != null && fromInput.contains(args[j])) {
                    m.merge(args[j], gin.get(j), SDVariable::add);
                }
            }
        }
        SDVariable mx = m.get(wrt);
        if (mx == null) {
            throw new InterpretException("No multiplier reaches '" + wrt + "' from " + layer + "; the target does not "
                    + "depend on the input through ops RevealCancel can follow");
        }
        copy.identity(SameDiffReverse.GRADIENT, mx);
        return copy;
    }

    private static boolean offset(String n) {
        return "add".equals(n) || "biasadd".equals(n) || "sub".equals(n) || "subtract".equals(n);
    }

    /** @return true for batch norm, or a product or quotient whose input-dependent argument {@code dep} is scaled */
    private static boolean scaledBy(String n, int dep) {
        boolean product = "mul".equals(n) || "multiply".equals(n);
        boolean quotient = "div".equals(n) || "divide".equals(n) || "realdiv".equals(n);
        return dep >= 0 && ("batchnorm".equals(n) || product || (quotient && dep == 0));
    }

    /** @return the index of the single input-dependent argument, or -1 if several */
    private static int dependent(String[] args, Set<String> fromInput) {
        int d = -1;
        for (int i = 0; i < args.length; i++) {
            if (fromInput.contains(args[i])) {
                if (d >= 0) {
                    return -1;
                }
                d = i;
            }
        }
        return d;
    }

    /** @return the per-element scale of a scaling op or batch norm, broadcastable against its input */
    private static SDVariable scale(Pass p, DifferentialFunction f, int dep) {
        String n = f.opName();
        String[] args = f.argNames();
        if ("batchnorm".equals(n)) {
            return SameDiffReverse.batchNormScale(p.sd, (DynamicCustomOp) f, args, p.shapes);
        }
        SDVariable k = p.sd.getVariable(args[1 - dep]);
        return n.startsWith("mul") ? k : k.rdiv(1.0);
    }

    private static void sameShape(Pass p, DifferentialFunction f, String in, String out) {
        long[] a = p.shapes.get(in);
        long[] b = p.shapes.get(out);
        if (a == null || b == null || !Arrays.equals(a, b)) {
            throw new InterpretException("RevealCancel cannot follow op '" + f.getOwnName() + "' (" + f.opName()
                    + "): its input " + in + " " + Arrays.toString(a) + " is broadcast to " + Arrays.toString(b)
                    + "; use DeepLIFT's Rescale rule on this graph");
        }
    }

    private static void forward(Pass p, SameDiffOp op, Set<String> fromInput) {
        DifferentialFunction f = op.getOp();
        String n = f.opName();
        String[] args = f.argNames();
        String out = op.getOutputsOfOp().get(0);
        SameDiff sd = p.sd;
        int dep = dependent(args, fromInput);
        if (SameDiffLrp.weighted(n)) {
            int w = dep == 0 ? 1 : 0;
            SDVariable weights = sd.getVariable(args[w]);
            SDVariable wp = sd.nn().relu(weights, 0.0);
            DifferentialFunction[] c = new DifferentialFunction[2];
            for (int s = 0; s < 2; s++) {
                Map<String, SDVariable> rep = new HashMap<>();
                rep.put(args[dep], p.delta.get(args[dep]));
                rep.put(args[w], s == 0 ? wp : weights.sub(wp));
                if (args.length > 2) {
                    rep.put(args[2], sd.getVariable(args[2]).mul(0.0));
                }
                c[s] = p.reapply(f, rep);
            }
            p.signedClones.put(op.getName(), c);
            p.delta.put(out, p.mix(p.out(c[0]), p.out(c[1])));
        } else if (SameDiffReverse.isRuleActivation(n)) {
            sameShape(p, f, args[0], out);
            SDVariable z = sd.getVariable(args[0]);
            SDVariable z0 = sd.gather(z, p.referenceRows, 0);
            SDVariable d = p.delta.get(args[0]);
            SDVariable other = p.partner(d);
            SDVariable f0 = activation(p, f, z0);
            SDVariable fd = activation(p, f, z0.add(d));
            SDVariable fo = activation(p, f, z0.add(other));
            SDVariable fdo = activation(p, f, z0.add(d).add(other));
            p.delta.put(out, fd.sub(f0).add(fdo.sub(fo)).mul(0.5));
        } else if ("maxpool2d".equals(n) || "reduce_max".equals(n) || "maximum".equals(n)) {
            SDVariable y = sd.getVariable(out);
            long[] s = p.shapes.get(out);
            SDVariable sign = p.signFor(s.length);
            // rows of the input: relu(y - y0); rows of the reference: -relu(y0 - y), the change's negative part
            p.delta.put(out, sign.mul(sd.nn().relu(y.sub(p.partner(y)), 0.0)));
        } else if (scaledBy(n, dep)) {
            sameShape(p, f, args[dep], out);
            p.delta.put(out, p.scaled(p.delta.get(args[dep]), scale(p, f, dep)));
        } else if (dep >= 0 && offset(n)) {
            sameShape(p, f, args[dep], out);
            SDVariable d = p.delta.get(args[dep]);
            p.delta.put(out, dep == 1 && n.startsWith("sub") ? p.negated(d) : d);
        } else if ("neg".equals(n) || "rsub_scalar".equals(n)) {
            p.delta.put(out, p.negated(p.delta.get(args[0])));
        } else if ("add_scalar".equals(n) || "sub_scalar".equals(n)) {
            p.delta.put(out, p.delta.get(args[0]));
        } else if ("mul_scalar".equals(n) || "div_scalar".equals(n)) {
            p.delta.put(out, p.scaled(p.delta.get(args[0]), scalarScale(f)));
        } else if ("sub".equals(n) || "subtract".equals(n)) {
            p.delta.put(out, p.delta.get(args[0]).add(p.negated(p.delta.get(args[1]))));
        } else {
            if ("pad".equals(n) && f instanceof DynamicCustomOp && ((DynamicCustomOp) f).tArgs().length > 0
                    && ((DynamicCustomOp) f).tArgs()[0] != 0) {
                throw new InterpretException("RevealCancel cannot follow op '" + f.getOwnName() + "' (pad with value "
                        + ((DynamicCustomOp) f).tArgs()[0] + "); use DeepLIFT's Rescale rule on this graph");
            }
            // other linear ops: run on the parts, constant floating-point inputs (offsets) zeroed
            Map<String, SDVariable> rep = new HashMap<>();
            for (String a : args) {
                SDVariable v = sd.getVariable(a);
                if (fromInput.contains(a)) {
                    rep.put(a, p.delta.get(a));
                } else if (v.dataType().isFPType()) {
                    rep.put(a, v.mul(0.0));
                }
            }
            DifferentialFunction c = p.reapply(f, rep);
            SDVariable[] outs = c.outputVariables();
            List<String> names = op.getOutputsOfOp();
            for (int i = 0; i < names.size() && i < outs.length; i++) {
                p.delta.put(names.get(i), outs[i]);
            }
        }
    }

    /** @return the factor of a scalar multiplication or division */
    private static double scalarScale(DifferentialFunction f) {
        double c = ((org.nd4j.linalg.api.ops.ScalarOp) f).scalar().getDouble(0);
        return "div_scalar".equals(f.opName()) ? 1.0 / c : c;
    }

    private static SDVariable activation(Pass p, DifferentialFunction f, SDVariable in) {
        return p.out(p.reapply(f, Map.of(f.argNames()[0], in)));
    }

    private static List<SDVariable> backward(Pass p, SameDiffOp op, Map<String, SDVariable> multipliers,
            Set<String> fromInput) {
        DifferentialFunction f = op.getOp();
        String n = f.opName();
        String[] args = f.argNames();
        String out = op.getOutputsOfOp().get(0);
        SameDiff sd = p.sd;
        SDVariable m = multipliers.containsKey(out) ? multipliers.get(out) : sd.getVariable(out).mul(0.0);
        int dep = dependent(args, fromInput);
        List<SDVariable> gin = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            gin.add(null);
        }
        if (SameDiffLrp.weighted(n)) {
            DifferentialFunction[] c = p.signedClones.get(op.getName());
            SDVariable a = c[0].doDiff(List.of(m)).get(dep);
            SDVariable b = c[1].doDiff(List.of(m)).get(dep);
            gin.set(dep, p.mix(a, b));
        } else if (SameDiffReverse.isRuleActivation(n)) {
            SDVariable dz = p.delta.get(args[0]);
            SDVariable dy = p.delta.get(out);
            DataType dt = dz.dataType();
            SDVariable small = sd.math().abs(dz).lt(SMALL).castTo(dt);
            SDVariable den = dz.add(small);
            SDVariable keep = sd.math().abs(den).gt(SMALL).castTo(dt);
            SDVariable slope = dy.mul(keep).div(den.mul(keep).add(keep.rsub(1.0)));
            SDVariable zx = sd.gather(sd.getVariable(args[0]), p.inputRows, 0);
            SDVariable derivative = p.reapply(f, Map.of(args[0], zx)).doDiff(List.of(m)).get(0);
            gin.set(0, m.mul(slope).mul(small.rsub(1.0)).add(derivative.mul(small)));
        } else if ("maxpool2d".equals(n)) {
            SDVariable x = sd.gather(sd.getVariable(args[0]), p.inputRows, 0);
            gin.set(0, SameDiffReverse.maxPool(sd, (DynamicCustomOp) f, x, m, p.shapes));
        } else if ("reduce_max".equals(n) && args.length == 1) {
            SDVariable x = sd.gather(sd.getVariable(args[0]), p.inputRows, 0);
            gin.set(0, SameDiffReverse.reduceMax(f, x, m, p.shapes));
        } else if ("maximum".equals(n) && args.length == 2) {
            List<SDVariable> ins = List.of(sd.gather(sd.getVariable(args[0]), p.inputRows, 0),
                    sd.gather(sd.getVariable(args[1]), p.inputRows, 0));
            List<SDVariable> g = MaxRules.elementWise(ins, sd.gather(sd.getVariable(out), p.inputRows, 0), m,
                    m.dataType());
            gin.set(0, g.get(0));
            gin.set(1, g.get(1));
        } else if (scaledBy(n, dep)) {
            gin.set(dep, p.scaled(m, scale(p, f, dep)));
        } else if (dep >= 0 && offset(n)) {
            gin.set(dep, dep == 1 && n.startsWith("sub") ? p.negated(m) : m);
        } else if ("neg".equals(n) || "rsub_scalar".equals(n)) {
            gin.set(0, p.negated(m));
        } else if ("add_scalar".equals(n) || "sub_scalar".equals(n)) {
            gin.set(0, m);
        } else if ("mul_scalar".equals(n) || "div_scalar".equals(n)) {
            gin.set(0, p.scaled(m, scalarScale(f)));
        } else if ("sub".equals(n) || "subtract".equals(n)) {
            List<SDVariable> g = f.doDiff(List.of(m));
            gin.set(0, g.get(0));
            gin.set(1, p.partner(g.get(1)));
        } else {
            // linear ops without weights: the transpose does not depend on the values
            List<SDVariable> gout = new ArrayList<>();
            for (String o : op.getOutputsOfOp()) {
                gout.add(multipliers.containsKey(o) ? multipliers.get(o) : sd.getVariable(o).mul(0.0));
            }
            List<SDVariable> g = f.doDiff(gout);
            for (int j = 0; j < args.length && j < g.size(); j++) {
                gin.set(j, g.get(j));
            }
        }
        return gin;
    }
}
