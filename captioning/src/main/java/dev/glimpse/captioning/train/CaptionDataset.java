package dev.glimpse.captioning.train;

import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.common.train.DatasetFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Training and validation captions ready for the trainer: token ids over a vocabulary built from
 * the training captions, validation references as raw text for the coco-caption scorer, and the
 * image files by id (for extracting features when there is no cache).
 *
 * @param train         one sample per training caption
 * @param val           one sample per validation caption (validation loss)
 * @param valReferences validation image id -> its raw captions, in file order (scoring order)
 * @param imageFiles    every train and val image id -> its file
 * @param files         the data files with their hashes, for the training record
 */
public record CaptionDataset(Vocabulary vocabulary, List<Sample> train, List<Sample> val,
                             Map<Long, List<String>> valReferences, Map<Long, Path> imageFiles,
                             List<DatasetFile> files) {
    /** One caption of one image, {@code <start> w1..wn <end>} as ids. */
    public record Sample(long imageId, int[] tokens) {}

    public long[] trainImageIds() {
        return train.stream().mapToLong(Sample::imageId).distinct().toArray();
    }

    public long[] valImageIds() {
        return valReferences.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    /** The same data restricted to these images (the vocabulary stays as built from all training captions). */
    public CaptionDataset only(java.util.Set<Long> imageIds) {
        Map<Long, List<String>> refs = new java.util.LinkedHashMap<>();
        valReferences.forEach((id, r) -> {
            if (imageIds.contains(id)) {
                refs.put(id, r);
            }
        });
        Map<Long, Path> files = new java.util.LinkedHashMap<>();
        imageFiles.forEach((id, f) -> {
            if (imageIds.contains(id)) {
                files.put(id, f);
            }
        });
        return new CaptionDataset(vocabulary, train.stream().filter(s -> imageIds.contains(s.imageId())).toList(),
                val.stream().filter(s -> imageIds.contains(s.imageId())).toList(), refs, files, this.files);
    }
}
