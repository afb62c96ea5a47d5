package org.deeplearning4j.interpret.examples.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PyTorch side of {@link PyTorchSideBySide}: {@code tools/bench/pytorch_side_by_side.py serve MODEL BATCH} in its
 * own process, asked for one call at a time so that the harness can alternate the two sides in short blocks (run one
 * after the other, a shared machine whose speed drifted between the two runs moved the ratios by 30-50%).
 */
final class TorchServer implements AutoCloseable {
    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\": ([0-9.eE+-]+)");

    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private TorchServer(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /**
     * @param script the Python script
     * @param python the interpreter
     * @param model vgg16 or resnet50
     * @param batch batch size
     * @return a server that has built its model, or null (with the reason printed) when Python or torch is missing
     */
    static TorchServer start(File script, String python, String model, int batch) throws IOException {
        if (!script.isFile()) {
            System.out.println("No " + script + ": PyTorch figures skipped (run from the repository root)");
            return null;
        }
        Process p = new ProcessBuilder(python, script.getPath(), "serve", model, String.valueOf(batch))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        TorchServer s = new TorchServer(p);
        String first = s.out.readLine();
        if (first == null || !first.contains("\"ready\"")) {
            System.out.println("PyTorch reference did not start (" + first + "): is python3-torchvision installed?");
            s.close();
            return null;
        }
        System.out.println("python: " + first);
        return s;
    }

    /** Warms a method up with the rule of {@link Timing#median}. */
    void warm(String method) throws IOException {
        ask("warm " + method);
    }

    /** @return the seconds of one call of the method */
    double run(String method) throws IOException {
        return number(ask("run " + method), "seconds");
    }

    /** @return the server process's peak resident memory in GB */
    double peakRssGb() throws IOException {
        return number(ask("rss"), "peak_rss_gb");
    }

    private String ask(String request) throws IOException {
        in.write(request + "\n");
        in.flush();
        String answer = out.readLine();
        if (answer == null || answer.contains("\"error\"")) {
            throw new IOException("PyTorch reference failed on '" + request + "': " + answer);
        }
        return answer;
    }

    private static double number(String json, String key) throws IOException {
        Matcher m = NUMBER.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(key)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new IOException("No " + key + " in " + json);
    }

    @Override
    public void close() {
        try {
            in.write("quit\n");
            in.flush();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
