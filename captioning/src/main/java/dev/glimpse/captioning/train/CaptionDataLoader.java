package dev.glimpse.captioning.train;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.text.Tokenizer;
import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.common.train.DatasetFile;
import dev.glimpse.datasets.CaptionCorpus;
import dev.glimpse.datasets.CocoCaption;
import dev.glimpse.datasets.CocoCaptionsReader;
import dev.glimpse.datasets.CocoImage;
import dev.glimpse.datasets.KarpathyDataset;
import dev.glimpse.datasets.KarpathyImage;
import dev.glimpse.datasets.KarpathyReader;
import dev.glimpse.datasets.KarpathySentence;
import dev.glimpse.datasets.SeededShuffle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Builds a {@link CaptionDataset} from COCO captions files or a Karpathy split file. Captions are
 * tokenized with the same {@link Tokenizer} inference and the metric use, cut to the maximum
 * length, and mapped through a vocabulary built from the TRAINING captions only.
 */
public final class CaptionDataLoader {
    /** Share of training images held out for validation when no validation set is given. */
    static final double HOLDOUT = 0.05;

    private final CaptionTrainingConfig config;
    /** Which images (id, file) can be used: file on disk, or features in the cache. */
    private final BiPredicate<Long, Path> usable;

    public CaptionDataLoader(CaptionTrainingConfig config, BiPredicate<Long, Path> usable) {
        this.config = config;
        this.usable = usable;
    }

    /** One image with its raw captions, whichever file format it came from. */
    record Item(long id, Path file, List<String> captions) {}

    /**
     * COCO captions files. Without a validation file, {@value #HOLDOUT} of the training images
     * (at least one) are held out, chosen by the seed.
     */
    public CaptionDataset coco(Path trainJson, Path trainImages, Path valJson, Path valImages) {
        List<DatasetFile> files = new ArrayList<>();
        files.add(DatasetFile.of("train captions", trainJson));
        List<Item> train = items(CocoCaptionsReader.read(trainJson, trainImages));
        List<Item> val;
        if (valJson != null) {
            files.add(DatasetFile.of("val captions", valJson));
            val = items(CocoCaptionsReader.read(valJson, valImages == null ? trainImages : valImages));
        } else {
            int[] order = SeededShuffle.permutation(train.size(), config.seed());
            int held = Math.max(1, (int) Math.round(train.size() * HOLDOUT));
            if (train.size() < 2) {
                throw new GlimpseException(trainJson + ": need at least 2 images with captions to hold one out for validation");
            }
            Set<Integer> heldOut = new HashSet<>();
            for (int i = 0; i < held; i++) {
                heldOut.add(order[i]);
            }
            List<Item> t = new ArrayList<>();
            val = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                (heldOut.contains(i) ? val : t).add(train.get(i));
            }
            train = t;
        }
        return build(train, val, files, trainJson, valJson == null ? trainJson : valJson);
    }

    /** A Karpathy split file: train + restval for training, val for validation. */
    public CaptionDataset karpathy(Path json, Path images) {
        KarpathyDataset data = KarpathyReader.read(json, images);
        List<DatasetFile> files = List.of(DatasetFile.of("karpathy split", json));
        return build(karpathyItems(data.split("train", "restval")), karpathyItems(data.split("val")), files, json, json);
    }

    private List<Item> karpathyItems(List<KarpathyImage> images) {
        List<Item> out = new ArrayList<>();
        for (KarpathyImage img : images) {
            if (usable.test(img.id(), img.file()) && !img.sentences().isEmpty()) {
                out.add(new Item(img.id(), img.file(), img.sentences().stream().map(KarpathySentence::raw).toList()));
            }
        }
        return out;
    }

    private List<Item> items(CaptionCorpus corpus) {
        Map<Long, List<CocoCaption>> byImage = corpus.captionsByImage();
        List<Item> out = new ArrayList<>();
        for (CocoImage img : corpus.images()) {
            List<CocoCaption> caps = byImage.get(img.id());
            if (usable.test(img.id(), img.file()) && !caps.isEmpty()) {
                out.add(new Item(img.id(), img.file(), caps.stream().map(CocoCaption::text).toList()));
            }
        }
        return out;
    }

    private CaptionDataset build(List<Item> train, List<Item> val, List<DatasetFile> files, Path trainSource, Path valSource) {
        if (train.isEmpty()) {
            throw new GlimpseException(trainSource + ": no training image with captions and a usable image file or cached features");
        }
        if (val.isEmpty()) {
            throw new GlimpseException(valSource + ": no validation image with captions and a usable image file or cached features");
        }
        List<List<String>> trainWords = new ArrayList<>();
        for (Item it : train) {
            for (String c : it.captions()) {
                trainWords.add(cut(Tokenizer.words(c)));
            }
        }
        Vocabulary vocab = Vocabulary.build(trainWords, config.minWordCount());
        List<CaptionDataset.Sample> trainSamples = new ArrayList<>();
        int k = 0;
        for (Item it : train) {
            for (int c = 0; c < it.captions().size(); c++) {
                List<String> words = trainWords.get(k++);
                if (!words.isEmpty()) {
                    trainSamples.add(new CaptionDataset.Sample(it.id(), ids(vocab, words)));
                }
            }
        }
        List<CaptionDataset.Sample> valSamples = new ArrayList<>();
        Map<Long, List<String>> refs = new LinkedHashMap<>();
        for (Item it : val) {
            refs.put(it.id(), List.copyOf(it.captions()));
            for (String c : it.captions()) {
                List<String> words = cut(Tokenizer.words(c));
                if (!words.isEmpty()) {
                    valSamples.add(new CaptionDataset.Sample(it.id(), ids(vocab, words)));
                }
            }
        }
        if (trainSamples.isEmpty()) {
            throw new GlimpseException(trainSource + ": every training caption is empty after tokenization");
        }
        Map<Long, Path> imageFiles = new LinkedHashMap<>();
        for (Item it : train) {
            imageFiles.put(it.id(), it.file());
        }
        for (Item it : val) {
            Path prev = imageFiles.putIfAbsent(it.id(), it.file());
            if (prev != null && !prev.equals(it.file())) {
                throw new GlimpseException(valSource + ": image id " + it.id() + " is " + it.file()
                        + " but the training data has " + prev + " under the same id");
            }
        }
        return new CaptionDataset(vocab, trainSamples, valSamples, refs, imageFiles, files);
    }

    private List<String> cut(List<String> words) {
        return words.size() <= config.maxCaptionLength() ? words : words.subList(0, config.maxCaptionLength());
    }

    private static int[] ids(Vocabulary vocab, List<String> words) {
        int[] out = new int[words.size() + 2];
        out[0] = Vocabulary.START;
        for (int i = 0; i < words.size(); i++) {
            out[i + 1] = vocab.id(words.get(i));
        }
        out[out.length - 1] = Vocabulary.END;
        return out;
    }
}
