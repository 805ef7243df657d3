package dev.glimpse.captioning.eval;

import dev.glimpse.common.GlimpseException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * METEOR 1.5 run as coco-caption's {@code meteor.py} runs it: a {@code java -jar -Xmx2G
 * meteor-1.5.jar - - -stdio -l en -norm} subprocess (working directory = the jar's, where its
 * {@code data/} lives) fed one {@code SCORE ||| ref1 ||| ... ||| hyp} line per image (each answered
 * by a statistics line), then one {@code EVAL ||| stats1 ||| stats2 ...} line answered by the
 * per-image scores and the corpus score. Glimpse ships no METEOR: the user passes the jar.
 */
public final class Meteor implements AutoCloseable {
    private final Path jar;
    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;
    private final Path stderr;

    private Meteor(Path jar, Process process, Path stderr) {
        this.jar = jar;
        this.process = process;
        this.stderr = stderr;
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    public static Meteor start(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new GlimpseException(jar + ": METEOR jar not found");
        }
        Path abs = jar.toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            Path err = Files.createTempFile("glimpse-meteor", ".log");
            Process p = new ProcessBuilder(java, "-jar", "-Xmx2G", abs.toString(), "-", "-", "-stdio",
                    "-l", "en", "-norm")
                    .directory(abs.getParent().toFile())
                    .redirectError(err.toFile())
                    .start();
            return new Meteor(abs, p, err);
        } catch (IOException e) {
            throw new GlimpseException(jar + ": cannot start METEOR: " + e.getMessage(), e);
        }
    }

    /** METEOR of tokenized candidates against tokenized references, image order as given. */
    public MetricScore score(List<List<String>> references, List<String> candidates) {
        Checks.sameSize(references, candidates);
        try {
            List<String> stats = new ArrayList<>(candidates.size());
            for (int i = 0; i < candidates.size(); i++) {
                String hyp = candidates.get(i).replace("|||", "").replace("  ", " ");
                send("SCORE ||| " + String.join(" ||| ", references.get(i)) + " ||| " + hyp);
                stats.add(readLine().strip());
            }
            StringBuilder eval = new StringBuilder("EVAL");
            for (String s : stats) {
                eval.append(" ||| ").append(s);
            }
            send(eval.toString());
            double[] perImage = new double[candidates.size()];
            for (int i = 0; i < perImage.length; i++) {
                perImage[i] = parse(readLine());
            }
            return new MetricScore("METEOR", parse(readLine()), perImage);
        } catch (IOException e) {
            throw new GlimpseException(jar + ": METEOR failed: " + e.getMessage(), e);
        }
    }

    private void send(String line) throws IOException {
        in.write(line);
        in.write('\n');
        in.flush();
    }

    private String readLine() throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw new GlimpseException(jar + ": METEOR stopped before answering" + lastErrorLine());
        }
        return line;
    }

    private double parse(String line) {
        try {
            return Double.parseDouble(line.strip());
        } catch (NumberFormatException e) {
            throw new GlimpseException(jar + ": METEOR printed \"" + line.strip() + "\" where a score was expected");
        }
    }

    private String lastErrorLine() {
        try {
            List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return " (" + lines.get(i).strip() + ")";
                }
            }
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // the log is a diagnostic nicety only
        }
        return "";
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // the process is being ended anyway
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(stderr);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // a stray temp log is harmless
        }
    }
}
