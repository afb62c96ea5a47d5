package org.deeplearning4j.interpret.cli;

/** A user error the command line reports in one line, with exit code {@link InterpretCli#EXIT_INPUT}. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }
}
