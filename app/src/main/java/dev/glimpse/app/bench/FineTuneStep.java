package dev.glimpse.app.bench;

import dev.glimpse.captioning.net.CaptionBatch;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.captioning.net.CaptionNetConfig;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.FineTune;
import dev.glimpse.common.encoder.TunableEncoder;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.features.InMemoryFeatures;
import dev.glimpse.common.imageside.FineTunedFeatures;
import dev.glimpse.common.nn.Adam;
import dev.glimpse.common.nn.Ops;
import dev.glimpse.common.nn.Params;
import dev.glimpse.common.train.TrainingLoop;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One fine-tuning training step as {@code train captioner --fine-tune} takes it, on random split
 * activations: the encoder's trainable part ({@link TunableEncoder}) and the standardisation
 * ({@link FineTunedFeatures}) forward, {@link CaptionNet#trainStepWithFeatureGradients}, the
 * features' gradients back into the encoder, then the training loop's global-norm clipping over both
 * parameter groups and one Adam per group (Adam is per element, so two at one rate are one Adam).
 * The split activations stand where the split cache would be, held in memory as the trainer holds
 * them without {@code --split-cache}: uniform [0, 1) like pytorch_ref.py's cached layer3 output.
 */
final class FineTuneStep implements AutoCloseable {
    private final TunableEncoder encoder;
    private final FineTunedFeatures features;
    private final CaptionNet net;
    private final List<TrainingLoop.ParamGroup> groups;
    private final List<Adam> adams;
    private final long[] ids;
    private final int[][] tokens;
    private final double clip;

    /** The decoder's sizes; the feature sizes come from the encoder. */
    record Decoder(int vocab, int embed, int hidden, int attention) {}

    private FineTuneStep(TunableEncoder encoder, FineTunedFeatures features, CaptionNet net, double lr, long[] ids,
                         int[][] tokens, double clip) {
        this.encoder = encoder;
        this.features = features;
        this.net = net;
        this.groups = List.of(new TrainingLoop.ParamGroup("decoder", net.params(), 1.0),
                new TrainingLoop.ParamGroup("encoder", features.params(), 1.0));
        this.adams = groups.stream().map(g -> new Adam(g.params(), lr * g.rateScale())).toList();
        this.ids = ids;
        this.tokens = tokens;
        this.clip = clip;
    }

    /**
     * @param request  the encoder (random-init: no download)
     * @param mode     how much of it trains (ResNet-50 {@code last3} at 224 px: layer4 on 14x14x1024)
     * @param captions one caption per image, so the batch is {@code captions.length} distinct images
     */
    static FineTuneStep create(EncoderRequest request, FineTune mode, Decoder dec, int[][] captions, double lr, double clip,
                               long seed) {
        TunableEncoder enc = TunableEncoder.open(request, null, mode);
        try {
            int b = captions.length;
            int[] hwc = enc.splitShape();
            long[] ids = new long[b];
            for (int i = 0; i < b; i++) {
                ids[i] = i + 1;
            }
            Nd4j.getRandom().setSeed(seed);
            INDArray x = Nd4j.rand(DataType.FLOAT, b, (long) hwc[0] * hwc[1], hwc[2]); // [B, H*W, C]
            FeatureSource split = InMemoryFeatures.extract(new Fixed(enc.prefixInfo(), x), ids, b, true, false);
            FineTunedFeatures features = FineTunedFeatures.of(enc, split, null, ids, true);
            EncoderInfo info = enc.info();
            CaptionNet net = new CaptionNet(new CaptionNetConfig(dec.vocab(), info.pooledDim(), info.gridDim(), dec.embed(),
                    dec.hidden(), 1, dec.attention(), true, 0.0), seed);
            return new FineTuneStep(enc, features, net, lr, ids, captions, clip);
        } catch (RuntimeException | Error e) {
            enc.close();
            throw e;
        }
    }

    boolean ownKernels() {
        return encoder.ownKernels();
    }

    int[] splitShape() {
        return encoder.splitShape();
    }

    EncoderInfo info() {
        return encoder.info();
    }

    /** The encoder's trainable parameters. */
    Params encoderParams() {
        return features.params();
    }

    /** One step as CaptionTask.step and TrainingLoop take it; returns the batch's mean loss per target before the update. */
    double run() {
        for (TrainingLoop.ParamGroup g : groups) {
            g.params().zeroGrad();
        }
        FineTunedFeatures.Step st = features.forward(ids);
        CaptionNet.FeatureStep fs = net.trainStepWithFeatureGradients(new CaptionBatch(st.pooled(), st.grid(), tokens), false);
        features.backward(st, fs.dPooled(), fs.dGrid());
        TrainingLoop.clipGlobalNorm(groups, clip);
        for (Adam a : adams) {
            a.step();
        }
        return fs.loss().mean();
    }

    @Override
    public void close() {
        encoder.close();
    }

    /** Activations for ids 1..B, rows of one array. */
    private record Fixed(EncoderInfo info, INDArray grid) implements FeatureSource {
        @Override
        public boolean contains(long imageId) {
            return imageId >= 1 && imageId <= grid.size(0);
        }

        @Override
        public INDArray pooled(long[] imageIds) {
            return grid(imageIds).mean(1);
        }

        @Override
        public INDArray grid(long[] imageIds) {
            int[] rows = new int[imageIds.length];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = (int) imageIds[i] - 1;
            }
            return Ops.gatherRows(grid, rows);
        }
    }
}
