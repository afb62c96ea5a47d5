package org.deeplearning4j.interpret.model;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.serde.FlatBuffersMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Re-applying a graph's own ops to other inputs, for the rule-based passes. */
final class SameDiffOps {
    /** Ops that move or pad values without changing them: what imports put between a layer and its input. */
    private static final Set<String> LAYOUT = Set.of("pad", "permute", "transpose", "identity", "reshape", "squeeze",
            "expand_dims", "flatten_2d");

    private SameDiffOps() {
    }

    /**
     * @param sd the graph (a clone of {@code f} is added)
     * @param f one of its ops
     * @param replace arguments to swap: argument name to the variable that takes its place
     * @return the clone, with every configuration of {@code f} (a fresh op of the same kind on other inputs)
     */
    static DifferentialFunction reapply(SameDiff sd, DifferentialFunction f, Map<String, SDVariable> replace) {
        DifferentialFunction c = FlatBuffersMapper.cloneViaSerialize(sd, f);
        String base = f.getOwnName() + "_re";
        String name = base;
        for (int k = 1; sd.getOps().containsKey(name) || sd.hasVariable(name); k++) {
            name = base + "_" + k;
        }
        c.setOwnName(name);
        c.setSameDiff(sd);
        sd.putOpForId(name, c);
        String[] args = f.argNames();
        SDVariable[] ins = new SDVariable[args.length];
        for (int i = 0; i < args.length; i++) {
            ins[i] = replace.containsKey(args[i]) ? replace.get(args[i]) : sd.getVariable(args[i]);
        }
        sd.addArgsFor(ins, c);
        c.outputVariables();
        return c;
    }

    /**
     * Where a value was padded on its way to a layer: the layout ops (padding, permutes, reshapes) between the
     * nearest other op and {@code v}, re-applied to ones.
     *
     * @return 1 where {@code v} holds a value of the input it was laid out from, 0 where padding put it; null if no
     *         padding lies on the way
     */
    static SDVariable unpadded(SameDiff sd, String v) {
        List<DifferentialFunction> chain = new ArrayList<>();
        String cur = v;
        boolean padded = false;
        for (int depth = 0; depth < 16; depth++) {
            DifferentialFunction p = sd.getVariableOutputOp(cur);
            if (p == null || !LAYOUT.contains(p.opName())) {
                break;
            }
            padded |= "pad".equals(p.opName());
            chain.add(0, p);
            cur = p.argNames()[0];
        }
        if (!padded) {
            return null;
        }
        SDVariable ones = sd.getVariable(cur).mul(0.0).add(1.0);
        SDVariable t = ones;
        String from = cur;
        for (DifferentialFunction p : chain) {
            DifferentialFunction c = reapply(sd, p, Map.of(from, t));
            t = c.outputVariables()[0];
            from = p.outputVariablesNames()[0];
        }
        return t;
    }
}
