package org.deeplearning4j.interpret.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The chunking both model adapters use: bounded sub-batches in, one batch out. */
final class Batches {
    private Batches() {
    }

    /** @return examples {@code [from, from + max)} of {@code x} (the array itself when that is all of it) */
    static INDArray chunk(INDArray x, long from, int max) {
        long to = Math.min(x.size(0), from + max);
        return from == 0 && to == x.size(0) ? x : x.get(NDArrayIndex.interval(from, to)).dup();
    }

    /** @return the parts joined along the batch dimension */
    static INDArray concat(List<INDArray> parts) {
        INDArray out = parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
        // results are always row-major and own their memory, whatever layout an engine's op produced (a matrix
        // product may return column-major arrays, whose linear index getDouble(i) means another element)
        return out.ordering() == 'c' && !out.isView() ? out : out.dup('c');
    }

    /** @return the shape of every activation, by layer */
    static Map<String, long[]> shapes(Map<String, INDArray> activations) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        activations.forEach((k, v) -> shapes.put(k, v.shape()));
        return shapes;
    }
}
