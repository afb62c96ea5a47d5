package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fast path's vertex rules: element-wise and merge vertices, forward ops and backward rule together (the layers'
 * rules are in their {@link LayerRules}).
 */
final class MirrorVertices {

    private MirrorVertices() {
    }

    /**
     * Element-wise vertices: add, average, subtract, product, max (ties split equally).
     *
     * @param cx the graph being built
     * @param name the vertex
     * @param op its operation
     * @param ins its inputs
     * @return the piece
     */
    static SameDiffMirror.Piece elementWise(LayerRules.MirrorContext cx, String name, ElementWiseVertex.Op op, List<SDVariable> ins) {
        SameDiff sd = cx.sd();
        DataType dt = cx.dt();
        SDVariable acc = ins.get(0);
        int n = ins.size();
        switch (op) {
            case Add:
            case Average:
                for (int i = 1; i < n; i++) {
                    acc = acc.add(ins.get(i));
                }
                boolean avg = op == ElementWiseVertex.Op.Average;
                return new SameDiffMirror.Piece(avg ? acc.div(n) : acc, (e, r, s) -> {
                    SDVariable each = avg ? e.div(n) : e;
                    List<SDVariable> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        out.add(each);
                    }
                    return out;
                });
            case Subtract:
                return new SameDiffMirror.Piece(acc.sub(ins.get(1)), (e, r, s) -> List.of(e, e.neg()));
            case Product:
                for (int i = 1; i < n; i++) {
                    acc = acc.mul(ins.get(i));
                }
                return new SameDiffMirror.Piece(acc, (e, r, s) -> {
                    List<SDVariable> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        SDVariable others = e;
                        for (int j = 0; j < n; j++) {
                            if (j != i) {
                                others = others.mul(ins.get(j));
                            }
                        }
                        out.add(others);
                    }
                    return out;
                });
            case Max:
                for (int i = 1; i < n; i++) {
                    acc = sd.math().max(acc, ins.get(i));
                }
                SDVariable max = acc;
                return new SameDiffMirror.Piece(max, (e, r, s) -> MaxRules.elementWise(ins, max, e, dt));
            default:
                return cx.unsupported(name, "ElementWiseVertex " + op);
        }
    }

    /**
     * Merge (concatenation) vertices; backward: the seed sliced back into the inputs' parts.
     *
     * @param cx the graph being built
     * @param mv the vertex
     * @param ins its inputs
     * @return the piece
     */
    static SameDiffMirror.Piece merge(LayerRules.MirrorContext cx, MergeVertex mv, List<SDVariable> ins) {
        SameDiff sd = cx.sd();
        int axis = mv.getMergeAxis();
        SDVariable out = sd.concat(axis, ins.toArray(new SDVariable[0]));
        return new SameDiffMirror.Piece(out, (e, r, shapes) -> {
            List<SDVariable> parts = new ArrayList<>();
            int start = 0;
            int rank = shapes.get(out.name()).length;
            for (SDVariable in : ins) {
                int size = (int) shapes.get(in.name())[axis];
                int[] begin = new int[rank];
                int[] len = new int[rank];
                Arrays.fill(len, -1);
                begin[axis] = start;
                len[axis] = size;
                parts.add(sd.slice(e, begin, len));
                start += size;
            }
            return parts;
        }, ins.toArray(new SDVariable[0]));
    }
}
