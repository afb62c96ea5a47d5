package org.deeplearning4j.interpret.onnx;

import onnx.Onnx;
import org.deeplearning4j.interpret.InterpretException;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Work-arounds for defects of ND4J 1.0.0-M2.1's ONNX importer, each found on PyTorch 1.13 exports and each checked by
 * the verification against ONNX Runtime that follows every import:
 *
 * <ul>
 *   <li><b>Names with {@code ::}</b> ({@code onnx::Conv_34}: PyTorch's names for the weights of a batch norm folded
 *       into a convolution at export) make the importer fail with "No variable name found". Before import every value
 *       name outside {@code [A-Za-z0-9_./-]} is renamed (each odd character to {@code _}, kept unique).</li>
 *   <li><b>Identity nodes aliasing an initializer</b> (PyTorch shares equal folded tensors so) import as arrays
 *       without an op, which SameDiff cannot run: each alias becomes its own copy of the initializer.</li>
 *   <li><b>MatMul is wrong</b>: it imports as a {@code matmul} op with alpha 0 and beta 1, which returns what its
 *       output array held (the product times zero, plus stale values). Recomputed as a plain product.</li>
 *   <li><b>Gemm is wrong</b>: {@code nn.Linear} exports as Gemm with a bias input C, which the importer passes to a
 *       {@code matmul} op as a third input that matmul ignores, with {@code beta = 1}, which makes libnd4j's matmul
 *       add whatever its output array held before. After import the output is recomputed under its own name as a
 *       fresh product (the same transposes and alpha) plus {@code beta * C}; the imported op is left unused.</li>
 * </ul>
 */
final class OnnxRepairs {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./-]+");

    private OnnxRepairs() {
    }

    /** A model file ready for the importer, with its input and output. */
    static final class Prepared {
        final File file;
        final String input;
        final String output;
        final long[] inputShape;
        final List<String> repairs;

        Prepared(File file, String input, String output, long[] inputShape, List<String> repairs) {
            this.file = file;
            this.input = input;
            this.output = output;
            this.inputShape = inputShape;
            this.repairs = repairs;
        }
    }

    /**
     * @param file the model
     * @param input the input to use, or null for the only one
     * @param output the output to use, or null for the only one
     * @return the model with names the importer can resolve (a temporary file if any was renamed)
     */
    static Prepared prepare(File file, String input, String output) {
        Onnx.ModelProto model;
        try {
            model = Onnx.ModelProto.parseFrom(Files.readAllBytes(file.toPath()));
        } catch (IOException e) {
            throw new InterpretException("Cannot read " + file + " as an ONNX model: " + e.getMessage(), e);
        }
        Onnx.GraphProto g = model.getGraph();
        if (g.getNodeCount() == 0) {
            throw new InterpretException(file + " holds no ONNX graph (no nodes)");
        }
        Set<String> initializers = new HashSet<>();
        g.getInitializerList().forEach(t -> initializers.add(t.getName()));
        List<String> inputs = new ArrayList<>();
        for (Onnx.ValueInfoProto v : g.getInputList()) {
            if (!initializers.contains(v.getName())) {
                inputs.add(v.getName());
            }
        }
        List<String> outputs = new ArrayList<>();
        g.getOutputList().forEach(v -> outputs.add(v.getName()));
        String in = pick(file, "input", input, inputs);
        String out = pick(file, "output", output, outputs);
        Onnx.ValueInfoProto inInfo = g.getInputList().stream().filter(v -> v.getName().equals(in)).findFirst()
                .orElseThrow();
        int elem = inInfo.getType().getTensorType().getElemType();
        if (elem != Onnx.TensorProto.DataType.FLOAT_VALUE && elem != Onnx.TensorProto.DataType.DOUBLE_VALUE) {
            throw new InterpretException("The input '" + in + "' of " + file + " has ONNX element type " + elem
                    + "; attribution needs a floating-point (float or double) image input");
        }
        List<Onnx.TensorShapeProto.Dimension> dims = inInfo.getType().getTensorType().getShape().getDimList();
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : -1;
        }

        Onnx.ModelProto.Builder mb = model.toBuilder();
        Onnx.GraphProto.Builder gb = mb.getGraphBuilder();
        List<String> repairs = new ArrayList<>();
        unaliasInitializers(gb, repairs);
        Map<String, String> renamed = renameUnresolvable(gb, repairs);
        if (repairs.isEmpty()) {
            return new Prepared(file, in, out, shape, repairs);
        }
        try {
            File tmp = File.createTempFile("dl4j-interpret-", ".onnx");
            tmp.deleteOnExit();
            Files.write(tmp.toPath(), mb.build().toByteArray());
            return new Prepared(tmp, renamed.getOrDefault(in, in), renamed.getOrDefault(out, out), shape, repairs);
        } catch (IOException e) {
            throw new InterpretException("Cannot write the repaired ONNX model to a temporary file: " + e.getMessage(),
                    e);
        }
    }

    /**
     * Identity nodes that alias an initializer (PyTorch shares equal folded tensors this way) import as arrays
     * without an op, which SameDiff cannot run: each alias becomes its own copy of the initializer.
     */
    private static void unaliasInitializers(Onnx.GraphProto.Builder gb, List<String> repairs) {
        Map<String, Onnx.TensorProto> byName = new HashMap<>();
        gb.getInitializerList().forEach(t -> byName.put(t.getName(), t));
        int aliases = 0;
        for (int i = gb.getNodeCount() - 1; i >= 0; i--) {
            Onnx.NodeProto n = gb.getNode(i);
            if ("Identity".equals(n.getOpType()) && n.getInputCount() == 1 && n.getOutputCount() == 1
                    && byName.containsKey(n.getInput(0))) {
                gb.removeNode(i);
                gb.addInitializer(byName.get(n.getInput(0)).toBuilder().setName(n.getOutput(0)).build());
                aliases++;
            }
        }
        if (aliases > 0) {
            repairs.add("replaced " + aliases + " Identity nodes that alias an initializer by copies of it (the "
                    + "importer leaves their outputs without an op)");
        }
    }

    /** @return every value name the importer cannot resolve, renamed to a plain, unused one (old name to new) */
    private static Map<String, String> renameUnresolvable(Onnx.GraphProto.Builder gb, List<String> repairs) {
        Map<String, String> renamed = new HashMap<>();
        Set<String> taken = new HashSet<>();
        collectNames(gb, taken);
        for (String name : new ArrayList<>(taken)) {
            if (!name.isEmpty() && !PLAIN.matcher(name).matches()) {
                String base = name.replaceAll("[^A-Za-z0-9_./-]", "_");
                String fresh = base;
                for (int k = 1; taken.contains(fresh) || renamed.containsValue(fresh); k++) {
                    fresh = base + "_" + k;
                }
                renamed.put(name, fresh);
            }
        }
        if (renamed.isEmpty()) {
            return renamed;
        }
        for (Onnx.NodeProto.Builder n : gb.getNodeBuilderList()) {
            for (int i = 0; i < n.getInputCount(); i++) {
                n.setInput(i, renamed.getOrDefault(n.getInput(i), n.getInput(i)));
            }
            for (int i = 0; i < n.getOutputCount(); i++) {
                n.setOutput(i, renamed.getOrDefault(n.getOutput(i), n.getOutput(i)));
            }
        }
        for (Onnx.TensorProto.Builder t : gb.getInitializerBuilderList()) {
            t.setName(renamed.getOrDefault(t.getName(), t.getName()));
        }
        List<Onnx.ValueInfoProto.Builder> infos = new ArrayList<>(gb.getInputBuilderList());
        infos.addAll(gb.getOutputBuilderList());
        infos.addAll(gb.getValueInfoBuilderList());
        for (Onnx.ValueInfoProto.Builder v : infos) {
            v.setName(renamed.getOrDefault(v.getName(), v.getName()));
        }
        List<String> examples = new ArrayList<>();
        renamed.entrySet().stream().limit(3).forEach(e -> examples.add(e.getKey() + " -> " + e.getValue()));
        repairs.add("renamed " + renamed.size() + " values whose names the importer cannot resolve (e.g. "
                + String.join(", ", examples) + ")");
        return renamed;
    }

    private static void collectNames(Onnx.GraphProtoOrBuilder g, Set<String> names) {
        for (Onnx.NodeProto n : g.getNodeList()) {
            names.addAll(n.getInputList());
            names.addAll(n.getOutputList());
        }
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        g.getInputList().forEach(v -> names.add(v.getName()));
        g.getOutputList().forEach(v -> names.add(v.getName()));
        g.getValueInfoList().forEach(v -> names.add(v.getName()));
    }

    private static String pick(File file, String what, String wanted, List<String> available) {
        if (wanted != null) {
            if (!available.contains(wanted)) {
                throw new IllegalArgumentException("The ONNX model " + file + " has no " + what + " '" + wanted
                        + "'; its " + what + "s are " + available);
            }
            return wanted;
        }
        if (available.size() != 1) {
            throw new IllegalArgumentException("The ONNX model " + file + " has " + available.size() + " " + what
                    + "s " + available + "; name the one to use with OnnxImport.builder(file)." + what + "(name)");
        }
        return available.get(0);
    }

    /**
     * Recomputes every {@code matmul} op the importer got wrong: Gemm's (a third, ignored bias input; beta 1) and
     * MatMul's (alpha 0, beta 1: a zero product plus whatever the output array held).
     *
     * @param sd the imported graph (changed)
     * @return one line per repair
     */
    static List<String> repairGraph(SameDiff sd) {
        List<String> repairs = new ArrayList<>();
        List<SameDiffOp> ops = new ArrayList<>(sd.getOps().values());
        for (SameDiffOp op : ops) {
            DifferentialFunction f = op.getOp();
            List<String> ins = op.getInputsToOp();
            if (!"matmul".equals(f.opName()) || ins == null || op.getOutputsOfOp().size() != 1
                    || !(f instanceof DynamicCustomOp)) {
                continue;
            }
            double[] t = ((DynamicCustomOp) f).tArgs();
            long[] ia = ((DynamicCustomOp) f).iArgs();
            double alpha = t.length > 0 ? t[0] : 1.0;
            double beta = t.length > 1 ? t[1] : 0.0;
            boolean gemm = ins.size() == 3;
            if (!gemm && (ins.size() != 2 || (alpha == 1.0 && beta == 0.0))) {
                continue; // a plain product, computed right
            }
            String out = op.getOutputsOfOp().get(0);
            // a fresh product: libnd4j's matmul with beta = 1 also adds whatever its output array held before
            SDVariable product = sd.mmul(sd.getVariable(ins.get(0)), sd.getVariable(ins.get(1)),
                    ia.length > 0 && ia[0] != 0, ia.length > 1 && ia[1] != 0, false);
            // ONNX MatMul has no alpha: the importer's 0 is a default, not a scale
            double scale = !gemm && alpha == 0.0 ? 1.0 : alpha;
            if (scale != 1.0) {
                product = product.mul(scale);
            }
            String imported = out + "__imported";
            sd.renameVariable(out, imported);
            SDVariable fixed;
            String what;
            if (gemm) {
                SDVariable bias = sd.getVariable(ins.get(2));
                fixed = product.add(out, beta == 1.0 ? bias : bias.mul(beta));
                what = "recomputed " + out + " as the product plus Gemm's bias " + ins.get(2) + " (the imported "
                        + "matmul ignores the bias and accumulates into its output array)";
            } else {
                fixed = sd.identity(out, product);
                what = "recomputed " + out + " as a plain product (the imported matmul has alpha " + alpha + ", beta "
                        + beta + ": it would return what its output array held)";
            }
            DifferentialFunction fixedOp = sd.getVariableOutputOp(out);
            for (SameDiffOp consumer : new ArrayList<>(sd.getOps().values())) {
                if (consumer.getOp() == fixedOp || consumer.getInputsToOp() == null) {
                    continue;
                }
                String[] args = consumer.getOp().argNames();
                for (int i = 0; i < args.length; i++) {
                    if (args[i].equals(imported)) {
                        sd.replaceArgFor(i, fixed, consumer.getOp());
                    }
                }
            }
            repairs.add(what);
        }
        return repairs;
    }
}
