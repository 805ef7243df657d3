package dev.glimpse.app.bench;

import dev.glimpse.captioning.decode.CaptionDecoder;
import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.decode.DecoderStep;
import dev.glimpse.captioning.model.NetDecoderStep;
import dev.glimpse.captioning.net.CaptionBatch;
import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.captioning.net.CaptionNetConfig;
import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.encoder.FineTune;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.nn.Adam;
import dev.glimpse.common.nn.Bf16RowProduct;
import dev.glimpse.common.nn.CellKind;
import dev.glimpse.vqa.net.VqaNet;
import dev.glimpse.vqa.net.VqaNetConfig;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The standard cases of ../shared/bench/CASES.md, run through the same classes `glimpse` trains
 * and predicts with (CaptionNet, VqaNet, the encoders, the decoders), at exactly those shapes.
 */
final class BenchCases {
    static final int V = 10000, E = 512, H = 512, F = 2048, T = 21, B_CAP = 64, REGIONS = 49, D = 512;
    static final int QV = 10000, B_VQA = 128, ANSWERS = 1000, MAXW = 20, B_FT = 32;

    private final boolean quick;

    BenchCases(boolean quick) {
        this.quick = quick;
    }

    private int reps(int full, int small) {
        return quick ? small : full;
    }

    List<BenchResult> matmul() throws Exception {
        int n = quick ? 2048 : 4096;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n), b = Nd4j.rand(DataType.FLOAT, n, n);
        // c-order output, as every preallocated output of the kernels in common/nn (into an 'f' output
        // the same product measured 168-201 GFLOP/s against 209-215).
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        BenchTimer.Timing t = BenchTimer.time(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0), 2, reps(6, 3));
        double gflop = 2.0 * n * n * n / 1e9;
        return List.of(BenchResult.of("MATMUL", "gemm " + n + "x" + n + "x" + n, t, gflop, "GFLOP/s"));
    }

    List<BenchResult> fe(String encoderName) throws Exception {
        List<BenchResult> out = new ArrayList<>();
        try (ImageEncoder enc = Encoders.open(EncoderRequest.randomInit(encoderName, 1))) {
            int size = enc.info().preprocess().inputSize();
            List<BufferedImage> images = new ArrayList<>();
            SplittableRandom rng = new SplittableRandom(3);
            for (int i = 0; i < 16; i++) {
                BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        img.setRGB(x, y, rng.nextInt(1 << 24) | 0x010101);
                    }
                }
                images.add(img);
            }
            BenchTimer.Timing t = BenchTimer.time(() -> enc.encode(images), 1, reps(5, 2));
            out.add(BenchResult.of("FE", enc.info().name() + " random-init " + size + "px "
                    + enc.info().gridRows() + "x" + enc.info().gridCols() + "x" + enc.info().gridDim(), t, 16, "img/s"));
        }
        return out;
    }

    /**
     * Caption lengths as CASES.md: L+1 targets per caption with L uniform in 8..20 (PyTorch's image
     * step predicts START; ours predicts nothing, so START w1..wL END here holds the same 9..21 targets).
     */
    static int[][] captions(int batch, SplittableRandom rng) {
        return captions(batch, V, rng);
    }

    static int[][] captions(int batch, int vocab, SplittableRandom rng) {
        int[][] tokens = new int[batch][];
        for (int b = 0; b < batch; b++) {
            int targets = rng.nextInt(9, 22);
            int[] t = new int[targets + 1];
            t[0] = 1;
            for (int i = 1; i < targets; i++) {
                t[i] = rng.nextInt(4, vocab);
            }
            t[targets] = 2;
            tokens[b] = t;
        }
        return tokens;
    }

    List<BenchResult> captionTraining(boolean attention) throws Exception {
        return captionTraining(attention, CellKind.LSTM);
    }

    /** CAP (or ATT) with the given cell; GRU: the GRU case of CASES.md. */
    List<BenchResult> captionTraining(boolean attention, CellKind cell) throws Exception {
        CaptionNetConfig cfg = new CaptionNetConfig(V, F, attention ? F : 0, E, H, 1, attention ? D : 0, attention, 0.0,
                cell);
        CaptionNet net = new CaptionNet(cfg, 2);
        SplittableRandom rng = new SplittableRandom(5);
        INDArray pooled = Nd4j.rand(DataType.FLOAT, B_CAP, F).addi(0.01);
        INDArray grid = attention ? Nd4j.rand(DataType.FLOAT, B_CAP, REGIONS, F).addi(0.01) : null;
        CaptionBatch batch = new CaptionBatch(pooled, grid, captions(B_CAP, rng));
        Adam adam = new Adam(net.params(), 4e-4);
        BenchTimer.Timing t = BenchTimer.time(() -> {
            net.params().zeroGrad();
            net.trainStep(batch, false);
            net.params().clipGradNorm(5.0);
            adam.step();
        }, 3, reps(20, 5));
        String name = cell == CellKind.GRU ? "GRU" : attention ? "ATT" : "CAP";
        return List.of(BenchResult.of(name, "train B=" + B_CAP + " (packed, valid positions)", t, B_CAP, "captions/s"));
    }

    /**
     * FT: ResNet-50's layer4 (fine-tune {@code last3} at 224 px: the split is 14x14x1024, the grid 7x7x2048)
     * trained with the ATT decoder through the trainer's fine-tuning path ({@link FineTuneStep}); batch
     * 32 images, one caption each, Adam lr 1e-4 over both, global-norm clip 5.
     */
    List<BenchResult> fineTuning() throws Exception {
        int[][] caps = captions(B_FT, new SplittableRandom(9));
        try (FineTuneStep step = FineTuneStep.create(EncoderRequest.randomInit("resnet50", 1), FineTune.parse("last3"),
                new FineTuneStep.Decoder(V, E, H, D), caps, 1e-4, 5.0, 9)) {
            int[] hwc = step.splitShape();
            if (hwc[0] != 14 || hwc[2] != 1024 || step.info().gridRows() != 7 || step.info().gridDim() != F) {
                throw new IllegalStateException("FT expects ResNet-50 layer4 on 14x14x1024 to 7x7x2048, got split "
                        + java.util.Arrays.toString(hwc) + " and grid " + step.info().gridRows() + "x" + step.info().gridCols()
                        + "x" + step.info().gridDim());
            }
            BenchTimer.Timing t = BenchTimer.time(step::run, 2, reps(20, 5));
            String kernels = step.ownKernels() ? "own kernels" : "SameDiff";
            return List.of(BenchResult.of("FT", "layer4+ATT B=" + B_FT + " (valid-pos, " + kernels + ")", t, B_FT, "images/s"));
        }
    }

    /**
     * The GRU case: training, then GREEDY and BEAM with a GRU decoder (rows of the GRU case, so they are not
     * paired with PyTorch's LSTM decoding; compare with the GREEDY and BEAM cases of the same run).
     */
    List<BenchResult> gru() throws Exception {
        List<BenchResult> out = new ArrayList<>(captionTraining(false, CellKind.GRU));
        for (BenchResult r : greedy(CellKind.GRU)) {
            out.add(r.renamed("GRU", "GREEDY " + r.variant().replace("per-word input table", "GRU decoder")));
        }
        for (BenchResult r : beam(CellKind.GRU)) {
            out.add(r.renamed("GRU", "BEAM " + r.variant().replace("per-word input table", "GRU decoder")));
        }
        return out;
    }

    List<BenchResult> vqaTraining() throws Exception {
        VqaNet net = new VqaNet(VqaNetConfig.standard(QV, F, ANSWERS), 4);
        SplittableRandom rng = new SplittableRandom(7);
        int[][] q = questions(B_VQA, rng);
        INDArray image = Nd4j.rand(DataType.FLOAT, B_VQA, F).addi(0.01);
        INDArray targets = Nd4j.zeros(DataType.FLOAT, B_VQA, ANSWERS);
        for (int b = 0; b < B_VQA; b++) {
            targets.putScalar(b, rng.nextInt(ANSWERS), 1f);
        }
        Adam adam = new Adam(net.params(), 1e-3);
        BenchTimer.Timing t = BenchTimer.time(() -> {
            net.params().zeroGrad();
            net.trainStep(image, q, targets, false);
            adam.step();
        }, 3, reps(20, 5));
        return List.of(BenchResult.of("VQA", "train B=" + B_VQA + " (packed)", t, B_VQA, "questions/s"));
    }

    List<BenchResult> vqaInference() throws Exception {
        VqaNet net = new VqaNet(VqaNetConfig.standard(QV, F, ANSWERS), 4);
        SplittableRandom rng = new SplittableRandom(5);
        List<BenchResult> out = new ArrayList<>();
        for (int b : new int[] {1, B_VQA}) {
            int[][] q = questions(b, rng);
            INDArray image = Nd4j.rand(DataType.FLOAT, b, F).addi(0.01);
            BenchTimer.Timing t = b == 1 ? BenchTimer.time(() -> net.predict(image, q), 20, reps(200, 30))
                    : BenchTimer.time(() -> net.predict(image, q), 3, reps(30, 5));
            out.add(BenchResult.of("VQAINF", "infer B=" + b, t, b, "questions/s"));
        }
        return out;
    }

    /** GREEDY: the CAP model decoding 20 tokens with no early stop, batch 1 and batch 32. */
    List<BenchResult> greedy() throws Exception {
        return greedy(CellKind.LSTM);
    }

    List<BenchResult> greedy(CellKind cell) throws Exception {
        CaptionNet net = new CaptionNet(new CaptionNetConfig(V, F, 0, E, H, 1, 0, false, 0.0, cell), 2);
        List<BenchResult> out = new ArrayList<>();
        for (int b : new int[] {1, 32}) {
            INDArray pooled = Nd4j.rand(DataType.FLOAT, b, F).addi(0.01);
            BenchTimer.Timing t = BenchTimer.time(() -> decodeNoStop(net, pooled, 1), b == 1 ? 5 : 3,
                    b == 1 ? reps(50, 10) : reps(25, 5));
            out.add(BenchResult.of("GREEDY", "batch " + b + ", 20 tokens, per-word input table", t, b, "img/s"));
            if (b == 1 && Bf16RowProduct.supported()) {
                // what `caption --beam 1` runs on this CPU: the same net, weights streamed as bfloat16
                net.decodeInBf16(true);
                BenchTimer.Timing h = BenchTimer.time(() -> decodeNoStop(net, pooled, 1), 5, reps(50, 10));
                net.decodeInBf16(false);
                out.add(BenchResult.of("GREEDY", "batch 1, 20 tokens, per-word input table, bf16 weights", h, 1, "img/s"));
            }
        }
        return out;
    }

    /** BEAM: width 3 and 5, batch 1, 20 tokens, through the beam-search decoder glimpse uses. */
    List<BenchResult> beam() throws Exception {
        return beam(CellKind.LSTM);
    }

    List<BenchResult> beam(CellKind cell) throws Exception {
        CaptionNet net = new CaptionNet(new CaptionNetConfig(V, F, 0, E, H, 1, 0, false, 0.0, cell), 2);
        INDArray pooled = Nd4j.rand(DataType.FLOAT, 1, F).addi(0.01);
        List<BenchResult> out = new ArrayList<>();
        for (int k : new int[] {3, 5}) {
            BenchTimer.Timing t = BenchTimer.time(() -> decodeNoStop(net, pooled, k), 5, reps(50, 10));
            out.add(BenchResult.of("BEAM", "width " + k + ", batch 1, 20 tokens, per-word input table", t, 1, "img/s"));
        }
        return out;
    }

    /**
     * Runs the real decoder for exactly 20 steps: END is suppressed by a step wrapper (random
     * weights would otherwise stop at arbitrary points), as pytorch_ref.py decodes without early stop.
     */
    private static void decodeNoStop(CaptionNet net, INDArray pooled, int beam) {
        DecoderStep inner = new NetDecoderStep(net, pooled, null);
        DecoderStep noEnd = new DecoderStep() {
            @Override
            public float[][] next(int[] tokens) {
                float[][] p = inner.next(tokens);
                for (float[] row : p) {
                    row[Vocabulary.END] = 0f;
                }
                return p;
            }

            @Override
            public void select(int[] rows) {
                inner.select(rows);
            }

            @Override
            public float[][] attention() {
                return inner.attention();
            }
        };
        DecodeOptions opts = new DecodeOptions(beam, MAXW, 0.0, false);
        CaptionDecoder.of(opts).decode(noEnd, (int) pooled.size(0));
    }

    static int[][] questions(int batch, SplittableRandom rng) {
        int[][] q = new int[batch][];
        for (int b = 0; b < batch; b++) {
            q[b] = rng.ints(rng.nextInt(4, 15), 4, QV).toArray();
        }
        return q;
    }
}
