package dev.glimpse.captioning.eval;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for meteor-1.5.jar in {@link MeteorEvalTest}: speaks its -stdio protocol with made-up
 * numbers (stats "refs hypWords"; image score hypWords / 10; corpus score their mean) and logs its
 * arguments and every request to fake-meteor.log in its working directory.
 */
public final class FakeMeteor {
    public static void main(String[] args) throws Exception {
        List<String> log = new ArrayList<>();
        log.add("ARGS " + String.join(" ", args));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            log.add(line);
            Files.write(Path.of("fake-meteor.log"), log, StandardCharsets.UTF_8);
            String[] parts = line.split(" \\|\\|\\| ", -1);
            if (parts[0].equals("SCORE")) {
                String hyp = parts[parts.length - 1];
                if (hyp.equals("die")) {
                    System.err.println("boom: fake failure");
                    System.exit(3);
                }
                int words = hyp.isBlank() ? 0 : hyp.trim().split(" +").length;
                out.println((parts.length - 2) + " " + words);
            } else if (parts[0].equals("EVAL")) {
                double sum = 0;
                for (int i = 1; i < parts.length; i++) {
                    double s = Integer.parseInt(parts[i].split(" ")[1]) / 10.0;
                    sum += s;
                    out.println(s);
                }
                out.println(sum / (parts.length - 1));
            }
        }
    }
}
