package org.deeplearning4j.interpret.internal;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.Iterator;

/** The feature batches of a {@link DataSetIterator}, from its start. Internal: not API. */
public final class Features {
    private Features() {
    }

    /**
     * @param data labelled or unlabelled batches; reset first when it supports it
     * @return an iterator over their features
     */
    public static Iterator<INDArray> of(DataSetIterator data) {
        if (data == null) {
            throw new IllegalArgumentException("data is null");
        }
        if (data.resetSupported()) {
            data.reset();
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return data.hasNext();
            }

            @Override
            public INDArray next() {
                return data.next().getFeatures();
            }
        };
    }
}
