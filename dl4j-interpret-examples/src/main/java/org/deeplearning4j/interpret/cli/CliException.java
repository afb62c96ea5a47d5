package org.deeplearning4j.interpret.cli;

/**
 * A user error the command line reports in one line: bad input (exit code {@link InterpretCli#EXIT_INPUT}) or, from
 * {@link #usage(String)}, bad usage such as an unknown method name (exit code 2, as picocli's own usage errors).
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean usage;

    CliException(String message) {
        this(message, false);
    }

    private CliException(String message, boolean usage) {
        super(message);
        this.usage = usage;
    }

    /**
     * @param message what is wrong and what to do
     * @return a bad-usage error (exit code 2)
     */
    static CliException usage(String message) {
        return new CliException(message, true);
    }

    /** @return true for bad usage (exit code 2), false for bad input (exit code 3) */
    boolean isUsage() {
        return usage;
    }
}
