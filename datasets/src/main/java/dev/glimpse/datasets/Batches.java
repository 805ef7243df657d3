package dev.glimpse.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * Small pieces trainers combine: (image, caption) pairs from a corpus, fixed-size batches over an
 * order, and length bucketing so an LSTM batch does not pad a 9-word caption to 40 steps.
 */
public final class Batches {
    private Batches() {}

    /**
     * Every (image, caption) pair of the corpus whose image file exists, in corpus order
     * (captions of one image stay adjacent before shuffling).
     */
    public static List<ImageCaption> pairs(CaptionCorpus corpus) {
        List<ImageCaption> out = new ArrayList<>(corpus.captions().size());
        Map<Long, CocoImage> present = new java.util.HashMap<>();
        for (CocoImage img : corpus.presentImages()) {
            present.put(img.id(), img);
        }
        for (CocoCaption c : corpus.captions()) {
            CocoImage img = present.get(c.imageId());
            if (img != null) {
                out.add(new ImageCaption(img.id(), img.file(), c.id(), c.text()));
            }
        }
        return out;
    }

    /**
     * Every (image, raw sentence) pair of the given Karpathy splits whose image file exists, in
     * file order; the usual training set is {@code pairs(dataset, "train", "restval")}.
     */
    public static List<ImageCaption> pairs(KarpathyDataset dataset, String... splits) {
        java.util.Set<Path> missing = new java.util.HashSet<>(dataset.missingFiles());
        List<ImageCaption> out = new ArrayList<>();
        for (KarpathyImage img : dataset.split(splits)) {
            if (!missing.contains(img.file())) {
                for (KarpathySentence s : img.sentences()) {
                    out.add(new ImageCaption(img.id(), img.file(), s.sentId(), s.raw()));
                }
            }
        }
        return out;
    }

    /**
     * Cuts {@code order} into consecutive batches of {@code size} indices; the last batch is
     * shorter unless {@code dropLast}, in which case it is left out.
     */
    public static List<int[]> of(int[] order, int size, boolean dropLast) {
        if (size <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + size);
        }
        List<int[]> out = new ArrayList<>(order.length / size + 1);
        for (int from = 0; from < order.length; from += size) {
            int to = Math.min(order.length, from + size);
            if (to - from < size && dropLast) {
                break;
            }
            out.add(Arrays.copyOfRange(order, from, to));
        }
        return out;
    }

    /**
     * Batches of similar length: takes the shuffled {@code order} in windows of
     * {@code size * window} items, sorts each window by descending {@code length(i)}, cuts it into
     * batches, then shuffles the batch order with {@code seed}. Items stay random across epochs,
     * while each batch is nearly length-homogeneous and sorted longest first (what packed LSTM
     * steps need). With {@code window = 1} this is {@link #of} plus a sort inside each batch.
     */
    public static List<int[]> byLength(int[] order, IntUnaryOperator length, int size, int window, long seed) {
        if (size <= 0 || window <= 0) {
            throw new IllegalArgumentException("batch size and window must be positive");
        }
        List<int[]> out = new ArrayList<>(order.length / size + 1);
        int span = size * window;
        for (int from = 0; from < order.length; from += span) {
            int to = Math.min(order.length, from + span);
            Integer[] chunk = new Integer[to - from];
            for (int i = from; i < to; i++) {
                chunk[i - from] = order[i];
            }
            // Stable sort: equal lengths keep the shuffled order, so the result stays seed-determined.
            Arrays.sort(chunk, (a, b) -> Integer.compare(length.applyAsInt(b), length.applyAsInt(a)));
            int[] sorted = new int[chunk.length];
            for (int i = 0; i < chunk.length; i++) {
                sorted[i] = chunk[i];
            }
            out.addAll(of(sorted, size, false));
        }
        int[] batchOrder = SeededShuffle.permutation(out.size(), seed);
        List<int[]> shuffled = new ArrayList<>(out.size());
        for (int b : batchOrder) {
            shuffled.add(out.get(b));
        }
        return shuffled;
    }
}
