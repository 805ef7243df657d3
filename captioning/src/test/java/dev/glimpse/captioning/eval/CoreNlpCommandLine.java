package dev.glimpse.captioning.eval;

import edu.stanford.nlp.process.PTBTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * coco-caption's tokenizer step done its way: the batch written to a UTF-8 file and tokenized by a
 * separate {@code java -cp stanford-corenlp-3.4.1.jar edu.stanford.nlp.process.PTBTokenizer
 * -preserveLines -lowerCase FILE} process, its output split on '\n' and filtered as ptbtokenizer.py.
 */
final class CoreNlpCommandLine {
    private static final List<String> PUNCT = Arrays.asList("''", "'", "``", "`", "-LRB-", "-RRB-",
            "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";");

    private CoreNlpCommandLine() {}

    static Path coreNlpJar() throws Exception {
        return Path.of(PTBTokenizer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Raw stdout of the command line for this file content. */
    static String run(String fileContent, Path dir) throws Exception {
        Path in = Files.createTempFile(dir, "batch", ".txt");
        Files.writeString(in, fileContent, StandardCharsets.UTF_8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", coreNlpJar().toString(),
                "edu.stanford.nlp.process.PTBTokenizer", "-preserveLines", "-lowerCase", in.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("PTBTokenizer command line failed");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** ptbtokenizer.py end to end, captions in batch order. */
    static List<String> tokenize(List<String> captions, Path dir) throws Exception {
        List<String> replaced = new ArrayList<>();
        for (String c : captions) {
            replaced.add(c.replace("\n", " "));
        }
        String[] lines = run(String.join("\n", replaced), dir).split("\n", -1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < captions.size(); i++) {
            List<String> kept = new ArrayList<>();
            for (String w : lines[i].stripTrailing().split(" ", -1)) {
                if (!PUNCT.contains(w)) {
                    kept.add(w);
                }
            }
            out.add(String.join(" ", kept));
        }
        return out;
    }
}
