package dev.glimpse.captioning.net;

import dev.glimpse.common.Backend;
import dev.glimpse.common.nn.Adam;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Speed probe at the benchmark shapes of shared/bench/CASES.md (CAP, ATT training; GREEDY batch 1),
 * not a unit test: run from the command line with the test class path, e.g.
 * {@code java -cp <test-classes:classes:deps> dev.glimpse.captioning.net.NetSpeed [cap|att|greedy|all] [repeats]}.
 * Prints medians of timed runs after warm-up.
 */
public final class NetSpeed {
    private static final int VOCAB = 10000;
    private static final int FEATURE = 2048;
    private static final int BATCH = 64;
    /** With OMP_NUM_THREADS=1 all native work runs on the calling thread: its CPU time is a load-independent cost. */
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private NetSpeed() {}

    public static void main(String[] args) {
        Backend.init();
        String which = args.length > 0 ? args[0] : "all";
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        if (which.equals("cap") || which.equals("all")) {
            training("CAP", false, repeats);
        }
        if (which.equals("att") || which.equals("all")) {
            training("ATT", true, repeats);
        }
        if (which.equals("greedy") || which.equals("all")) {
            greedy(repeats * 3);
        }
    }

    private static void training(String name, boolean attention, int repeats) {
        CaptionNet net = new CaptionNet(new CaptionNetConfig(VOCAB, FEATURE, 2048, 512, 512, 1, 512, attention, 0.0), 1);
        Adam adam = new Adam(net.params(), 4e-4);
        SplittableRandom rng = new SplittableRandom(7);
        Nd4j.getRandom().setSeed(7);
        INDArray pooled = Nd4j.rand(DataType.FLOAT, BATCH, FEATURE).addi(0.01); // [B, F] non-zero
        INDArray grid = attention ? Nd4j.rand(DataType.FLOAT, BATCH, 49, 2048).addi(0.01) : null; // [B, 49, 2048]
        double[] ms = new double[repeats + 2];
        double[] cpu = new double[repeats + 2];
        double firstLoss = 0;
        for (int i = 0; i < ms.length; i++) {
            CaptionBatch batch = new CaptionBatch(pooled, grid, captions(rng));
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            net.params().zeroGrad();
            StepLoss loss = net.trainStep(batch, false);
            net.params().clipGradNorm(5);
            adam.step();
            ms[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
            if (i == 0) {
                firstLoss = loss.mean();
            }
        }
        double[] timed = Arrays.copyOfRange(ms, 2, ms.length);
        double median = median(timed);
        double cpuMedian = median(Arrays.copyOfRange(cpu, 2, cpu.length));
        System.out.printf("%s: median %.1f ms/step = %.1f captions/s (runs %s ms; step-0 loss %.4f);"
                        + " calling-thread CPU %.1f ms/step = %.1f captions/s per CPU-second%n",
                name, median, BATCH * 1000 / median, Arrays.toString(round(timed)), firstLoss,
                cpuMedian, BATCH * 1000 / cpuMedian);
    }

    /** Word counts + END uniform in 8..20 targets: tokens {@code <start> w1..wn <end>}, n = 7..19. */
    private static int[][] captions(SplittableRandom rng) {
        int[][] tokens = new int[BATCH][];
        for (int b = 0; b < BATCH; b++) {
            int targets = 8 + rng.nextInt(13);
            int[] t = new int[targets + 1];
            t[0] = 1;
            for (int w = 1; w < targets; w++) {
                t[w] = 4 + rng.nextInt(VOCAB - 4);
            }
            t[targets] = 2;
            tokens[b] = t;
        }
        return tokens;
    }

    private static void greedy(int repeats) {
        CaptionNet net = new CaptionNet(new CaptionNetConfig(VOCAB, FEATURE, 0, 512, 512, 1, 0, false, 0.0), 1);
        INDArray pooled = Nd4j.rand(DataType.FLOAT, 1, FEATURE).addi(0.01); // [1, F]
        double[] ms = new double[repeats + 3];
        double[] cpu = new double[repeats + 3];
        int[] token = new int[1];
        for (int i = 0; i < ms.length; i++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            DecodeState s = net.start(pooled, null);
            token[0] = 1;
            for (int t = 0; t < 20; t++) {
                INDArray probs = net.next(s, token); // [1, V]
                token[0] = argMax(probs);
            }
            ms[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        double[] timed = Arrays.copyOfRange(ms, 3, ms.length);
        System.out.printf("GREEDY batch 1, 20 tokens: median %.2f ms/image (%.2f ms/token; runs %s);"
                        + " calling-thread CPU %.2f ms/image%n",
                median(timed), median(timed) / 20, Arrays.toString(round(timed)),
                median(Arrays.copyOfRange(cpu, 3, cpu.length)));
    }

    private static int argMax(INDArray row) {
        FloatBuffer f = row.data().asNioFloat();
        int best = 0;
        float max = f.get(0);
        for (int i = 1, n = (int) row.length(); i < n; i++) {
            float v = f.get(i);
            if (v > max) {
                max = v;
                best = i;
            }
        }
        return best;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.round(v[i] * 10) / 10.0;
        }
        return r;
    }
}
