package dev.glimpse.vqa.net;

import dev.glimpse.common.Backend;
import dev.glimpse.common.nn.Adam;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Speed of VqaNet at the benchmark shapes (../bench/CASES.md VQA and VQAINF). Not a test: run by hand, e.g.
 * {@code java -cp ... dev.glimpse.vqa.net.VqaNetBench [trainSteps] [inferenceRepeats]}.
 */
public final class VqaNetBench {
    private VqaNetBench() {}

    public static void main(String[] args) {
        Backend.init();
        int trainSteps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        VqaNetConfig cfg = VqaNetConfig.standard(10000, 2048, 1000);
        VqaNet net = new VqaNet(cfg, 1);
        SplittableRandom rng = new SplittableRandom(7);
        int batch = 128;
        int[][] questions = new int[batch][];
        for (int b = 0; b < batch; b++) {
            questions[b] = rng.ints(rng.nextInt(4, 15), 0, cfg.questionVocab()).toArray();
        }
        INDArray image = Nd4j.rand(DataType.FLOAT, batch, cfg.featureDim());
        INDArray targets = Nd4j.zeros(DataType.FLOAT, batch, cfg.answers());
        for (int b = 0; b < batch; b++) {
            targets.putScalar(b, rng.nextInt(cfg.answers()), 1f);
        }
        Adam adam = new Adam(net.params(), 1e-3);
        double[] train = new double[trainSteps];
        double cpu0 = 0;
        for (int i = -3; i < trainSteps; i++) {
            if (i == 0) {
                cpu0 = cpuSeconds();
            }
            long t0 = System.nanoTime();
            net.params().zeroGrad();
            double loss = net.trainStep(image, questions, targets, true);
            adam.step();
            long t1 = System.nanoTime();
            if (i >= 0) {
                train[i] = (t1 - t0) / 1e6;
            }
            if (i == -3 || i == trainSteps - 1) {
                System.out.printf("loss %.4f%n", loss);
            }
        }
        double trainCpu = (cpuSeconds() - cpu0) / trainSteps * 1000;
        double trainMs = median(train);
        System.out.printf("VQA train: %.1f ms/step median, %.0f questions/s; CPU %.0f ms/step (steps: %s)%n", trainMs,
                batch * 1000 / trainMs, trainCpu, fmt(train));

        double[] one = new double[repeats];
        for (int i = -10; i < repeats; i++) {
            if (i == 0) {
                cpu0 = cpuSeconds();
            }
            int b = Math.floorMod(i, batch);
            INDArray img = image.getRow(b).reshape(1, cfg.featureDim()).dup();
            long t0 = System.nanoTime();
            net.predict(img, new int[][] {questions[b]});
            long t1 = System.nanoTime();
            if (i >= 0) {
                one[i] = (t1 - t0) / 1e6;
            }
        }
        double oneCpu = (cpuSeconds() - cpu0) / repeats * 1000;
        System.out.printf("VQAINF batch 1: %.2f ms median; CPU %.2f ms (%s)%n", median(one), oneCpu, fmt(one));
        double[] full = new double[Math.max(5, repeats / 3)];
        for (int i = -3; i < full.length; i++) {
            if (i == 0) {
                cpu0 = cpuSeconds();
            }
            long t0 = System.nanoTime();
            net.predict(image, questions);
            long t1 = System.nanoTime();
            if (i >= 0) {
                full[i] = (t1 - t0) / 1e6;
            }
        }
        double fullCpu = (cpuSeconds() - cpu0) / full.length * 1000;
        double fullMs = median(full);
        System.out.printf("VQAINF batch 128: %.1f ms median, %.0f questions/s; CPU %.0f ms (%s)%n", fullMs,
                batch * 1000 / fullMs, fullCpu, fmt(full));
    }

    /** CPU seconds used by this process so far (all threads, user + system), from /proc; NaN elsewhere. */
    static double cpuSeconds() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // fields 14, 15: utime, stime in ticks
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double x : v) {
            sb.append(String.format("%.1f ", x));
        }
        return sb.toString().trim();
    }
}
