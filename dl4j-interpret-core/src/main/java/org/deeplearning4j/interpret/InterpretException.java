package org.deeplearning4j.interpret;

/**
 * Unchecked exception for interpretation failures that are not plain argument errors, for example a layer type that a
 * method cannot use or a model whose structure the engine cannot analyse. Messages say what was expected, what was
 * found, and how to fix it.
 */
public class InterpretException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong and how to fix it */
    public InterpretException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and how to fix it
     * @param cause the underlying failure
     */
    public InterpretException(String message, Throwable cause) {
        super(message, cause);
    }
}
