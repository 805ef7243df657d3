package dev.glimpse.captioning.train;

import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.decode.Decoded;
import dev.glimpse.captioning.decode.SamplingDecoder;
import dev.glimpse.captioning.eval.CiderD;
import dev.glimpse.captioning.model.NetDecoderStep;
import dev.glimpse.captioning.net.CaptionBatch;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.common.nn.Ops;
import dev.glimpse.common.text.Vocabulary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;


/**
 * Self-critical sequence training's data (Rennie et al. 2017; the baseline of Luo's "better variant", as ruotianluo's
 * {@code --train_sample_n 5}): K captions sampled per image from the decoder as it is, each scored by CIDEr-D
 * against the image's training references, and weighted by its score minus the mean score of the image's other
 * K-1 samples. Cross-entropy over the sampled tokens with those weights has the policy gradient of the expected
 * CIDEr-D as its gradient: captions that beat their siblings become more likely, the others less.
 */
final class SelfCritical {
    private final Vocabulary vocabulary;
    private final Map<Long, Integer> corpusIndex; // training image id -> its references in the corpus
    private final CiderD.Corpus corpus;
    private final int samples;
    private final DecodeOptions options;

    private SelfCritical(Vocabulary vocabulary, Map<Long, List<String>> references, int samples, int maxLength) {
        this.vocabulary = vocabulary;
        this.corpusIndex = new HashMap<>();
        for (Long id : references.keySet()) {
            corpusIndex.put(id, corpusIndex.size());
        }
        this.corpus = new CiderD.Corpus(new ArrayList<>(references.values()));
        this.samples = samples;
        this.options = DecodeOptions.greedy(maxLength);
    }

    /** Rewards against the training captions, with their document frequencies. */
    static SelfCritical of(CaptionDataset data, int samples, int maxLength) {
        Map<Long, List<String>> refs = new LinkedHashMap<>();
        for (CaptionDataset.Sample s : data.train()) {
            refs.computeIfAbsent(s.imageId(), k -> new ArrayList<>()).add(data.vocabulary().decode(s.tokens()));
        }
        return new SelfCritical(data.vocabulary(), refs, samples, maxLength);
    }

    int samples() {
        return samples;
    }

    /** The rows' layout, image-major: row r samples image {@code r / K}. */
    int[] rowOf(int images) {
        int[] rowOf = new int[images * samples];
        for (int r = 0; r < rowOf.length; r++) {
            rowOf[r] = r / samples;
        }
        return rowOf;
    }

    /**
     * Samples {@link #samples()} captions for each image (rows as {@link #rowOf}) and returns them weighted, a batch
     * to train on. {@code pooled} [U*K, F] per row, {@code grids} [U, R, C] per image or null without attention.
     * An image's samples are drawn from generators of its own (from {@code seed} and its id), so they do not depend
     * on which other images share the batch or slice.
     */
    CaptionBatch sample(CaptionNet net, long[] images, INDArray pooled, INDArray grids, long seed) {
        int k = samples;
        int[] gridOf = rowOf(images.length);
        int rows = gridOf.length;
        INDArray rowGrids = grids == null ? null : Ops.gatherRows(grids, gridOf); // [U*K, R, C]: one per decoding row
        SplittableRandom[] random = new SplittableRandom[rows];
        for (int u = 0; u < images.length; u++) {
            SplittableRandom image = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * images[u]);
            for (int j = 0; j < k; j++) {
                random[u * k + j] = image.split();
            }
        }
        List<Decoded> drawn = new SamplingDecoder(options, random).decode(new NetDecoderStep(net, pooled, rowGrids), rows);
        int[][] tokens = new int[rows][];
        double[] reward = new double[rows];
        boolean[] empty = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            int[] words = drawn.get(r).best().words();
            boolean ended = drawn.get(r).best().ended();
            int[] t = new int[1 + words.length + (ended ? 1 : 0)];
            t[0] = Vocabulary.START;
            System.arraycopy(words, 0, t, 1, words.length);
            if (ended) {
                t[t.length - 1] = Vocabulary.END;
            }
            empty[r] = t.length < 2; // nothing allowed had probability > 0: trained with weight 0
            tokens[r] = empty[r] ? new int[] {Vocabulary.START, Vocabulary.END} : t;
            Integer refs = corpusIndex.get(images[r / k]);
            if (refs == null) {
                throw new IllegalArgumentException("image " + images[r / k] + " has no training captions");
            }
            reward[r] = empty[r] ? 0 : corpus.score(vocabulary.decode(words), refs);
        }
        double[] weights = new double[rows];
        for (int u = 0; u < images.length; u++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += reward[u * k + j];
            }
            for (int j = 0; j < k; j++) {
                int r = u * k + j;
                weights[r] = empty[r] ? 0 : reward[r] - (sum - reward[r]) / (k - 1);
            }
        }
        return new CaptionBatch(pooled, grids, grids == null ? null : gridOf, tokens, weights);
    }
}
